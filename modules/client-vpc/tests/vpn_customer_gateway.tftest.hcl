# terraform test (mock provider, plan only): the customer gateway always gets an ASN.
# Run: cd modules/client-vpc && terraform init && terraform test

mock_provider "aws" {}

variables {
  vpc_name                 = "acme-corp-production-vpc"
  internet_gateway_name    = "acme-corp-production-igw"
  flow_logs_iam_role_name  = "acme-corp-production-vpc-flow-logs"
  flow_logs_log_group_name = "/aws/vpc/acme-corp-production-vpc/flow-logs"
  flow_logs_kms_alias_name = "alias/acme-corp-production-vpc-flow-logs"
  vpc_cidr                 = "10.100.0.0/16"
  subnets = {
    public  = { "us-east-2a" = "10.100.0.0/24", "us-east-2b" = "10.100.1.0/24" }
    private = { "us-east-2a" = "10.100.16.0/20", "us-east-2b" = "10.100.32.0/20" }
    eks     = { "us-east-2a" = "10.100.128.0/20", "us-east-2b" = "10.100.144.0/20" }
  }
  subnet_names = {
    public  = { "us-east-2a" = "pub-a", "us-east-2b" = "pub-b" }
    private = { "us-east-2a" = "priv-a", "us-east-2b" = "priv-b" }
    eks     = { "us-east-2a" = "eks-a", "us-east-2b" = "eks-b" }
  }
  route_table_names = {
    public  = "rt-pub"
    private = { "us-east-2a" = "rt-priv-a", "us-east-2b" = "rt-priv-b" }
    eks     = { "us-east-2a" = "rt-eks-a", "us-east-2b" = "rt-eks-b" }
  }
  nat_gateway_azs      = ["us-east-2a"]
  nat_gateway_names    = { "us-east-2a" = "nat-a", "us-east-2b" = "nat-b" }
  security_group_names = { eks = "sg-eks", database = "sg-db", compute = "sg-compute" }
  vpn_names            = { customer_gateway = "cgw", vpn_gateway = "vgw", connection = "vpn" }
  security             = { database_ports = [5432], custom_ports = [8080] }
  tags                 = { Client = "acme-corp" }
  vpn = {
    enabled             = true
    customer_gateway_ip = "198.51.99.10"
    bgp_asn             = null
    amazon_side_asn     = 64512
    static_routes_only  = true
    local_network_cidr  = "192.168.0.0/24"
    tunnel1_inside_cidr = "169.254.10.0/30"
    tunnel2_inside_cidr = "169.254.11.0/30"
    description         = ""
  }
}

run "static_vpn_without_asn_gets_65000" {
  command = plan

  assert {
    condition     = aws_customer_gateway.this[0].bgp_asn == "65000" && aws_customer_gateway.this[0].bgp_asn_extended == null
    error_message = "A static VPN without bgp_asn must send bgp_asn 65000 (EC2 requires an ASN)."
  }
}

run "client_asn_wins" {
  command = plan

  variables {
    vpn = merge(var.vpn, { bgp_asn = 65001 })
  }

  assert {
    condition     = aws_customer_gateway.this[0].bgp_asn == "65001"
    error_message = "The client's ASN is sent when set."
  }
}

run "four_byte_asn_goes_to_bgp_asn_extended" {
  command = plan

  variables {
    vpn = merge(var.vpn, { bgp_asn = 4200000000 })
  }

  assert {
    condition     = aws_customer_gateway.this[0].bgp_asn == null && aws_customer_gateway.this[0].bgp_asn_extended == "4200000000"
    error_message = "ASNs above 2147483647 go in bgp_asn_extended."
  }
}

run "internal_load_balancers_only_in_private_subnets" {
  command = plan

  assert {
    condition     = alltrue([for s in aws_subnet.private : s.tags["kubernetes.io/role/internal-elb"] == "1"])
    error_message = "Private subnets carry kubernetes.io/role/internal-elb."
  }
  assert {
    condition     = alltrue([for s in aws_subnet.eks : !contains(keys(s.tags), "kubernetes.io/role/internal-elb")])
    error_message = "EKS subnets must not carry kubernetes.io/role/internal-elb (one candidate subnet per AZ)."
  }
}
