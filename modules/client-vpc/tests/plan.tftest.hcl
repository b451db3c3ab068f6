# terraform test (mock provider, plan only): the NAT gateways per tier, the subnets, the optional VPN and the
# names and tags of client-vpc, with the inputs layer 01-foundation renders for acme-corp (standard tier, two
# AZs). The tier reaches this module only as nat_gateway_azs: clientctl renders one AZ for standard and every
# AZ for premium. Run: clientctl iac check --only test --path modules/client-vpc

mock_provider "aws" {}

variables {
  vpc_name                 = "acme-corp-production-vpc"
  internet_gateway_name    = "acme-corp-production-igw"
  flow_logs_iam_role_name  = "acme-corp-production-vpc-flow-logs"
  flow_logs_log_group_name = "/aws/vpc/acme-corp-production-vpc/flow-logs"
  flow_logs_kms_alias_name = "alias/acme-corp-production-vpc-flow-logs"
  vpc_cidr                 = "10.100.0.0/16"
  subnets = {
    eks     = { "us-east-2a" = "10.100.0.0/20", "us-east-2b" = "10.100.16.0/20" }
    private = { "us-east-2a" = "10.100.96.0/20", "us-east-2b" = "10.100.112.0/20" }
    public  = { "us-east-2a" = "10.100.192.0/24", "us-east-2b" = "10.100.193.0/24" }
  }
  subnet_names = {
    eks     = { "us-east-2a" = "acme-corp-production-eks-us-east-2a", "us-east-2b" = "acme-corp-production-eks-us-east-2b" }
    private = { "us-east-2a" = "acme-corp-production-private-us-east-2a", "us-east-2b" = "acme-corp-production-private-us-east-2b" }
    public  = { "us-east-2a" = "acme-corp-production-public-us-east-2a", "us-east-2b" = "acme-corp-production-public-us-east-2b" }
  }
  route_table_names = {
    public  = "acme-corp-production-public"
    private = { "us-east-2a" = "acme-corp-production-private-us-east-2a", "us-east-2b" = "acme-corp-production-private-us-east-2b" }
    eks     = { "us-east-2a" = "acme-corp-production-eks-us-east-2a", "us-east-2b" = "acme-corp-production-eks-us-east-2b" }
  }
  nat_gateway_azs = ["us-east-2a"]
  nat_gateway_names = {
    "us-east-2a" = "acme-corp-production-nat-us-east-2a"
    "us-east-2b" = "acme-corp-production-nat-us-east-2b"
  }
  security_group_names = {
    eks      = "acme-corp-production-eks"
    database = "acme-corp-production-database"
    compute  = "acme-corp-production-compute"
  }
  vpn_names = {
    customer_gateway = "acme-corp-production-cgw"
    vpn_gateway      = "acme-corp-production-vgw"
    connection       = "acme-corp-production-vpn"
  }
  security = { database_ports = [5432, 5433], custom_ports = [8080, 9090] }
  tags = {
    Client      = "acme-corp"
    ClientCode  = "ACME"
    Environment = "production"
    Layer       = "01-foundation"
    ManagedBy   = "clientctl"
    Tier        = "standard"
  }
  vpn = {
    enabled             = false
    customer_gateway_ip = null
    bgp_asn             = null
    amazon_side_asn     = 64512
    static_routes_only  = true
    local_network_cidr  = null
    tunnel1_inside_cidr = null
    tunnel2_inside_cidr = null
    description         = ""
  }
}

################################################################################
# NAT gateways per tier
################################################################################

run "standard_tier_has_exactly_one_nat_gateway" {
  command = plan

  override_resource {
    target          = aws_nat_gateway.this["us-east-2a"]
    override_during = plan
    values          = { id = "nat-0aaaaaaaaaaaaaaaa" }
  }

  assert {
    condition     = keys(aws_nat_gateway.this) == ["us-east-2a"] && keys(aws_eip.nat) == ["us-east-2a"]
    error_message = "Standard tier (one rendered NAT AZ): exactly one NAT gateway and one Elastic IP, in us-east-2a."
  }
  assert {
    condition     = aws_nat_gateway.this["us-east-2a"].tags["Name"] == var.nat_gateway_names["us-east-2a"]
    error_message = "The NAT gateway's Name tag is the rendered names.nat_gateways value of its AZ."
  }
  assert {
    condition = alltrue(concat(
      [for r in aws_route.private_nat : r.nat_gateway_id == "nat-0aaaaaaaaaaaaaaaa"],
      [for r in aws_route.eks_nat : r.nat_gateway_id == "nat-0aaaaaaaaaaaaaaaa"],
    )) && length(aws_route.private_nat) == 2 && length(aws_route.eks_nat) == 2
    error_message = "Every private and EKS route table (both AZs) routes 0.0.0.0/0 through the single NAT gateway."
  }
}

run "premium_tier_has_one_nat_gateway_per_az" {
  command = plan

  variables {
    nat_gateway_azs = ["us-east-2a", "us-east-2b"]
  }

  override_resource {
    target          = aws_nat_gateway.this["us-east-2a"]
    override_during = plan
    values          = { id = "nat-0aaaaaaaaaaaaaaaa" }
  }
  override_resource {
    target          = aws_nat_gateway.this["us-east-2b"]
    override_during = plan
    values          = { id = "nat-0bbbbbbbbbbbbbbbb" }
  }

  assert {
    condition     = sort(keys(aws_nat_gateway.this)) == tolist(["us-east-2a", "us-east-2b"]) && length(aws_eip.nat) == 2
    error_message = "Premium tier (every AZ rendered): one NAT gateway and one Elastic IP per AZ."
  }
  assert {
    condition     = alltrue(concat([for az, n in aws_nat_gateway.this : n.tags["Name"] == var.nat_gateway_names[az]], [for az, e in aws_eip.nat : e.tags["Name"] == var.nat_gateway_names[az]]))
    error_message = "Each NAT gateway and its Elastic IP carry the rendered NAT name of their AZ."
  }
  assert {
    condition = (
      aws_route.private_nat["us-east-2a"].nat_gateway_id == "nat-0aaaaaaaaaaaaaaaa" &&
      aws_route.private_nat["us-east-2b"].nat_gateway_id == "nat-0bbbbbbbbbbbbbbbb" &&
      aws_route.eks_nat["us-east-2a"].nat_gateway_id == "nat-0aaaaaaaaaaaaaaaa" &&
      aws_route.eks_nat["us-east-2b"].nat_gateway_id == "nat-0bbbbbbbbbbbbbbbb"
    )
    error_message = "With a NAT gateway per AZ, each AZ's private and EKS route tables use the NAT gateway of their own AZ."
  }
}

################################################################################
# Subnets, names and tags
################################################################################

run "subnets_are_exactly_the_rendered_plan" {
  command = plan

  override_resource {
    target          = aws_vpc.this
    override_during = plan
    values          = { id = "vpc-0123456789abcdef0" }
  }

  assert {
    condition = (
      tomap({ for az, s in aws_subnet.public : az => s.cidr_block }) == var.subnets.public &&
      tomap({ for az, s in aws_subnet.private : az => s.cidr_block }) == var.subnets.private &&
      tomap({ for az, s in aws_subnet.eks : az => s.cidr_block }) == var.subnets.eks
    )
    error_message = "Each tier has exactly the rendered subnets: same AZ keys, same CIDRs."
  }
  assert {
    condition = alltrue(concat(
      [for az, s in aws_subnet.public : s.availability_zone == az && s.vpc_id == "vpc-0123456789abcdef0"],
      [for az, s in aws_subnet.private : s.availability_zone == az && s.vpc_id == "vpc-0123456789abcdef0"],
      [for az, s in aws_subnet.eks : s.availability_zone == az && s.vpc_id == "vpc-0123456789abcdef0"],
    ))
    error_message = "Every subnet lies in the AZ it is rendered for, in this VPC."
  }
  assert {
    condition = (
      tomap({ for az, s in aws_subnet.public : az => s.tags["Name"] }) == var.subnet_names.public &&
      tomap({ for az, s in aws_subnet.private : az => s.tags["Name"] }) == var.subnet_names.private &&
      tomap({ for az, s in aws_subnet.eks : az => s.tags["Name"] }) == var.subnet_names.eks
    )
    error_message = "Every subnet's Name tag is the rendered names.subnets value of its tier and AZ."
  }
  assert {
    condition = alltrue(concat(
      [for s in aws_subnet.public : s.tags["SubnetTier"] == "public" && s.map_public_ip_on_launch == false],
      [for s in aws_subnet.private : s.tags["SubnetTier"] == "private"],
      [for s in aws_subnet.eks : s.tags["SubnetTier"] == "eks"],
    ))
    error_message = "SubnetTier tags name the tier; public subnets do not assign public IPs on launch."
  }
  assert {
    condition     = aws_vpc.this.cidr_block == var.vpc_cidr
    error_message = "The VPC has the rendered CIDR."
  }
}

run "names_come_from_the_rendered_inputs" {
  command = plan

  assert {
    condition = (
      aws_vpc.this.tags["Name"] == var.vpc_name &&
      aws_internet_gateway.this.tags["Name"] == var.internet_gateway_name &&
      aws_route_table.public.tags["Name"] == var.route_table_names.public &&
      tomap({ for az, t in aws_route_table.private : az => t.tags["Name"] }) == var.route_table_names.private &&
      tomap({ for az, t in aws_route_table.eks : az => t.tags["Name"] }) == var.route_table_names.eks
    )
    error_message = "VPC, internet gateway and route tables carry the rendered names."
  }
  assert {
    condition = (
      aws_security_group.eks.name == var.security_group_names.eks && aws_security_group.eks.tags["Name"] == var.security_group_names.eks &&
      aws_security_group.database.name == var.security_group_names.database && aws_security_group.database.tags["Name"] == var.security_group_names.database &&
      aws_security_group.compute.name == var.security_group_names.compute && aws_security_group.compute.tags["Name"] == var.security_group_names.compute
    )
    error_message = "Security groups are named (name and Name tag) from names.security_groups."
  }
  assert {
    condition = (
      aws_iam_role.flow_logs.name == var.flow_logs_iam_role_name &&
      aws_cloudwatch_log_group.flow_logs.name == var.flow_logs_log_group_name &&
      aws_cloudwatch_log_group.flow_logs.tags["Name"] == var.flow_logs_log_group_name
    )
    error_message = "The flow-log role and log group carry the rendered names."
  }
}

run "every_resource_carries_the_input_tags" {
  command = plan

  variables {
    nat_gateway_azs = ["us-east-2a", "us-east-2b"]
    vpn = {
      enabled             = true
      customer_gateway_ip = "198.51.99.10"
      bgp_asn             = 65001
      amazon_side_asn     = 64512
      static_routes_only  = true
      local_network_cidr  = "192.168.0.0/24"
      tunnel1_inside_cidr = "169.254.10.0/30"
      tunnel2_inside_cidr = "169.254.11.0/30"
      description         = "VPN to client datacenter"
    }
  }

  assert {
    condition = alltrue([
      for t in concat(
        [aws_vpc.this.tags, aws_default_security_group.this.tags, aws_internet_gateway.this.tags],
        [aws_route_table.public.tags, aws_cloudwatch_log_group.flow_logs.tags, aws_iam_role.flow_logs.tags],
        [aws_flow_log.this.tags, aws_security_group.eks.tags, aws_security_group.database.tags],
        [aws_security_group.compute.tags, aws_vpc_security_group_ingress_rule.eks_self.tags],
        [aws_vpc_security_group_ingress_rule.eks_api.tags],
        [for r in aws_vpc_security_group_ingress_rule.eks_custom : r.tags],
        [for r in aws_vpc_security_group_ingress_rule.database : r.tags],
        [for r in aws_vpc_security_group_ingress_rule.compute_custom : r.tags],
        [for r in aws_vpc_security_group_egress_rule.vpc : r.tags],
        [for r in aws_vpc_security_group_egress_rule.https : r.tags],
        [for s in aws_subnet.public : s.tags], [for s in aws_subnet.private : s.tags], [for s in aws_subnet.eks : s.tags],
        [for r in aws_route_table.private : r.tags], [for r in aws_route_table.eks : r.tags],
        [for r in aws_eip.nat : r.tags], [for r in aws_nat_gateway.this : r.tags],
        [for r in aws_customer_gateway.this : r.tags], [for r in aws_vpn_gateway.this : r.tags],
        [for r in aws_vpn_connection.this : r.tags],
      ) : alltrue([for k, v in var.tags : lookup(t, k, null) == v])
    ])
    error_message = "Every tagged resource carries every input tag with its input value."
  }
  assert {
    condition     = length(aws_customer_gateway.this) == 1 && length(aws_nat_gateway.this) == 2
    error_message = "(the tag check above covered the VPN and both NAT gateways)"
  }
}

################################################################################
# Site-to-site VPN only when enabled
################################################################################

run "disabled_vpn_creates_nothing" {
  command = plan

  assert {
    condition = (
      length(aws_customer_gateway.this) == 0 && length(aws_vpn_gateway.this) == 0 &&
      length(aws_vpn_connection.this) == 0 && length(aws_vpn_connection_route.local_network) == 0 &&
      length(aws_route.vpn_static) == 0 && length(aws_vpn_gateway_route_propagation.this) == 0
    )
    error_message = "vpn.enabled = false: no customer gateway, VPN gateway, connection, connection route, VPN route or propagation."
  }
}

run "static_vpn_creates_gateways_connection_and_routes" {
  command = plan

  variables {
    vpn = {
      enabled             = true
      customer_gateway_ip = "198.51.99.10"
      bgp_asn             = 65001
      amazon_side_asn     = 64512
      static_routes_only  = true
      local_network_cidr  = "192.168.0.0/24"
      tunnel1_inside_cidr = "169.254.10.0/30"
      tunnel2_inside_cidr = "169.254.11.0/30"
      description         = "VPN to client datacenter"
    }
  }

  assert {
    condition = (
      length(aws_customer_gateway.this) == 1 && length(aws_vpn_gateway.this) == 1 && length(aws_vpn_connection.this) == 1 &&
      length(aws_vpn_gateway_route_propagation.this) == 0
    )
    error_message = "An enabled static VPN: one customer gateway, one VPN gateway, one connection, no BGP propagation."
  }
  assert {
    condition = (
      aws_customer_gateway.this[0].ip_address == var.vpn.customer_gateway_ip &&
      aws_vpn_gateway.this[0].amazon_side_asn == "64512" &&
      aws_vpn_connection.this[0].static_routes_only == true &&
      aws_vpn_connection.this[0].tunnel1_inside_cidr == var.vpn.tunnel1_inside_cidr &&
      aws_vpn_connection.this[0].tunnel2_inside_cidr == var.vpn.tunnel2_inside_cidr
    )
    error_message = "The VPN resources take the rendered gateway IP, Amazon-side ASN and tunnel CIDRs."
  }
  assert {
    condition = (
      aws_vpn_connection_route.local_network[0].destination_cidr_block == var.vpn.local_network_cidr &&
      sort(keys(aws_route.vpn_static)) == tolist(["eks-us-east-2a", "eks-us-east-2b", "private-us-east-2a", "private-us-east-2b"]) &&
      alltrue([for r in aws_route.vpn_static : r.destination_cidr_block == var.vpn.local_network_cidr])
    )
    error_message = "The client's network is routed over the VPN: one connection route, and one route in every private and EKS route table."
  }
  assert {
    condition = (
      aws_customer_gateway.this[0].tags["Name"] == var.vpn_names.customer_gateway &&
      aws_vpn_gateway.this[0].tags["Name"] == var.vpn_names.vpn_gateway &&
      aws_vpn_connection.this[0].tags["Name"] == var.vpn_names.connection &&
      aws_vpn_connection.this[0].tags["Description"] == var.vpn.description
    )
    error_message = "The VPN resources carry the rendered names.vpn values and the rendered description."
  }
}

run "bgp_vpn_propagates_instead_of_static_routes" {
  command = plan

  variables {
    vpn = {
      enabled             = true
      customer_gateway_ip = "198.51.99.10"
      bgp_asn             = 65001
      amazon_side_asn     = 64512
      static_routes_only  = false
      local_network_cidr  = "192.168.0.0/24"
      tunnel1_inside_cidr = "169.254.10.0/30"
      tunnel2_inside_cidr = "169.254.11.0/30"
      description         = ""
    }
  }

  assert {
    condition = (
      length(aws_vpn_connection.this) == 1 && length(aws_vpn_connection_route.local_network) == 0 &&
      length(aws_route.vpn_static) == 0 &&
      sort(keys(aws_vpn_gateway_route_propagation.this)) == tolist(["eks-us-east-2a", "eks-us-east-2b", "private-us-east-2a", "private-us-east-2b"])
    )
    error_message = "A BGP VPN propagates routes into every private and EKS route table and adds no static route."
  }
}

################################################################################
# Variable validations
################################################################################

run "vpc_cidr_must_be_a_cidr" {
  command = plan

  variables {
    vpc_cidr = "10.100.0.0/33"
  }

  expect_failures = [var.vpc_cidr]
}

run "subnet_cidrs_must_be_cidrs" {
  command = plan

  variables {
    subnets = {
      eks     = { "us-east-2a" = "10.100.0.0/20", "us-east-2b" = "10.100.16.0/20" }
      private = { "us-east-2a" = "10.100.96.0", "us-east-2b" = "10.100.112.0/20" }
      public  = { "us-east-2a" = "10.100.192.0/24", "us-east-2b" = "10.100.193.0/24" }
    }
  }

  expect_failures = [var.subnets]
}

run "at_least_one_nat_gateway_az" {
  command = plan

  variables {
    nat_gateway_azs = []
  }

  expect_failures = [var.nat_gateway_azs]
}

run "nat_gateway_az_needs_a_public_subnet" {
  command = plan

  variables {
    # a NAT name for us-east-2c, but no public subnet there
    nat_gateway_azs   = ["us-east-2c"]
    nat_gateway_names = merge(var.nat_gateway_names, { "us-east-2c" = "acme-corp-production-nat-us-east-2c" })
  }

  expect_failures = [var.nat_gateway_azs]
}

run "flow_log_retention_must_be_a_cloudwatch_value" {
  command = plan

  variables {
    flow_logs_retention_days = 42
  }

  expect_failures = [var.flow_logs_retention_days]
}

run "enabled_vpn_needs_gateway_ip_and_local_network" {
  command = plan

  variables {
    vpn = merge(var.vpn, { enabled = true })
  }

  expect_failures = [var.vpn]
}

run "bgp_vpn_needs_an_asn" {
  command = plan

  variables {
    vpn = merge(var.vpn, {
      enabled             = true
      customer_gateway_ip = "198.51.99.10"
      local_network_cidr  = "192.168.0.0/24"
      static_routes_only  = false
    })
  }

  expect_failures = [var.vpn]
}

run "static_default_asn_must_be_a_whole_asn" {
  command = plan

  variables {
    static_routes_default_bgp_asn = 0
  }

  expect_failures = [var.static_routes_default_bgp_asn]
}
