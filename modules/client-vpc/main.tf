# One client's VPC (layer 01-foundation). Every CIDR, AZ and name comes rendered from clientctl; resources that
# vary per AZ use for_each over the rendered maps keyed by AZ, so adding an AZ never recreates an existing one.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # Route tables of an AZ without its own NAT gateway (standard tier) use the first NAT gateway.
  nat_az_for = {
    for az in distinct(concat(keys(var.subnets.private), keys(var.subnets.eks))) :
    az => contains(var.nat_gateway_azs, az) ? az : var.nat_gateway_azs[0]
  }

  vpn_enabled = var.vpn.enabled
  vpn_static  = var.vpn.enabled && var.vpn.static_routes_only
  vpn_bgp     = var.vpn.enabled && !var.vpn.static_routes_only
  # CreateCustomerGateway needs an ASN; with static routing it is irrelevant (no BGP session), so a client
  # without bgp_asn gets the placeholder. A BGP VPN without one is refused by the vpn validation.
  customer_gateway_asn = coalesce(var.vpn.bgp_asn, var.static_routes_default_bgp_asn)
  # Tag value; the rendered description is "" when unset.
  vpn_description = try(trimspace(var.vpn.description), "")

  # Route tables that must reach the client's network over the VPN (stable keys: tier-AZ).
  vpn_route_table_ids = merge(
    { for az in keys(var.subnets.private) : "private-${az}" => aws_route_table.private[az].id },
    { for az in keys(var.subnets.eks) : "eks-${az}" => aws_route_table.eks[az].id },
  )
}

################################################################################
# VPC
################################################################################

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = merge(var.tags, { Name = var.vpc_name })
}

# Take over the default security group and leave it without any rule (checkov CKV2_AWS_12): nothing should use it.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.vpc_name}-default-deny-all" })
}

################################################################################
# Subnets (rendered CIDRs, keyed by AZ)
################################################################################

resource "aws_subnet" "public" {
  for_each = var.subnets.public

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value
  # Nothing launched here gets a public IP implicitly: NAT gateways use Elastic IPs and internet-facing load
  # balancers get their own addresses (checkov CKV_AWS_130).
  map_public_ip_on_launch = false

  tags = merge(var.tags, {
    Name                     = var.subnet_names.public[each.key]
    "kubernetes.io/role/elb" = "1"
    SubnetTier               = "public"
  })
}

resource "aws_subnet" "private" {
  for_each = var.subnets.private

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value

  # The only subnets tagged for internal load balancers (AWS Load Balancer Controller subnet discovery); NLBs with
  # IP targets reach pods in the EKS subnets of the same VPC.
  tags = merge(var.tags, {
    Name                              = var.subnet_names.private[each.key]
    "kubernetes.io/role/internal-elb" = "1"
    SubnetTier                        = "private"
  })
}

resource "aws_subnet" "eks" {
  for_each = var.subnets.eks

  vpc_id            = aws_vpc.this.id
  availability_zone = each.key
  cidr_block        = each.value

  # No kubernetes.io/role/internal-elb here: internal load balancers go to the private subnets only (above). With
  # the tag on both tiers the AWS Load Balancer Controller sees two candidates per AZ and picks one by subnet ID,
  # and load-balancer ENIs would take addresses from the pod space VPC CNI prefix delegation needs (/28 blocks).
  tags = merge(var.tags, {
    Name       = var.subnet_names.eks[each.key]
    SubnetTier = "eks"
  })
}

################################################################################
# Internet and NAT gateways
################################################################################

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.internet_gateway_name })
}

resource "aws_eip" "nat" {
  for_each = toset(var.nat_gateway_azs)

  domain = "vpc"

  tags = merge(var.tags, { Name = var.nat_gateway_names[each.key] })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  for_each = toset(var.nat_gateway_azs)

  allocation_id = aws_eip.nat[each.key].id
  subnet_id     = aws_subnet.public[each.key].id

  tags = merge(var.tags, { Name = var.nat_gateway_names[each.key] })

  depends_on = [aws_internet_gateway.this]
}

################################################################################
# Route tables
################################################################################

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.route_table_names.public })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  for_each = var.subnets.public

  subnet_id      = aws_subnet.public[each.key].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  for_each = var.subnets.private

  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.route_table_names.private[each.key] })
}

resource "aws_route" "private_nat" {
  for_each = var.subnets.private

  route_table_id         = aws_route_table.private[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[local.nat_az_for[each.key]].id
}

resource "aws_route_table_association" "private" {
  for_each = var.subnets.private

  subnet_id      = aws_subnet.private[each.key].id
  route_table_id = aws_route_table.private[each.key].id
}

resource "aws_route_table" "eks" {
  for_each = var.subnets.eks

  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.route_table_names.eks[each.key] })
}

resource "aws_route" "eks_nat" {
  for_each = var.subnets.eks

  route_table_id         = aws_route_table.eks[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[local.nat_az_for[each.key]].id
}

resource "aws_route_table_association" "eks" {
  for_each = var.subnets.eks

  subnet_id      = aws_subnet.eks[each.key].id
  route_table_id = aws_route_table.eks[each.key].id
}

################################################################################
# VPC flow logs -> CloudWatch Logs (KMS-encrypted, with retention)
################################################################################

module "flow_logs_kms" {
  source = "../kms-key"

  name                            = trimprefix(var.flow_logs_kms_alias_name, "alias/")
  alias_name                      = var.flow_logs_kms_alias_name
  description                     = "Encrypts the VPC flow-log group ${var.flow_logs_log_group_name}"
  cloudwatch_logs_log_group_names = [var.flow_logs_log_group_name]
  # The Sids this key was created with, so its policy stays byte for byte the same.
  statement_ids = {
    account_administration = "AccountAdministration"
    cloudwatch_logs        = "CloudWatchLogsFlowLogGroup"
  }
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = var.flow_logs_log_group_name
  retention_in_days = var.flow_logs_retention_days
  kms_key_id        = module.flow_logs_kms.key_arn

  tags = merge(var.tags, { Name = var.flow_logs_log_group_name })
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    # Confused-deputy protection: only flow logs of this account may assume the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc-flow-log/*"]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = var.flow_logs_iam_role_name
  description        = "Lets VPC flow logs of ${var.vpc_name} write to ${var.flow_logs_log_group_name}"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json

  tags = merge(var.tags, { Name = var.flow_logs_iam_role_name })
}

data "aws_iam_policy_document" "flow_logs_write" {
  statement {
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogGroups",
      "logs:DescribeLogStreams",
    ]
    resources = [
      aws_cloudwatch_log_group.flow_logs.arn,
      "${aws_cloudwatch_log_group.flow_logs.arn}:*",
    ]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs_write.json
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 60

  tags = merge(var.tags, { Name = "${var.vpc_name}-flow-logs" })

  depends_on = [aws_iam_role_policy.flow_logs]
}

################################################################################
# Security groups (no ingress from 0.0.0.0/0: internet-facing load balancers get their own security groups from
# the AWS Load Balancer Controller in layer 05, the only place 80/443 may be open to the internet)
################################################################################

# EKS: attached to the control-plane ENIs by layer 02 (nodes also get the EKS-managed cluster security group).
resource "aws_security_group" "eks" {
  #checkov:skip=CKV2_AWS_5:Attached to the EKS control plane by layer 02-platform (a separate state), which checkov cannot see from here.
  name        = var.security_group_names.eks
  description = "EKS control plane and nodes of ${var.vpc_name}: cluster-internal traffic, API and application ports from the VPC only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.security_group_names.eks })
}

resource "aws_vpc_security_group_ingress_rule" "eks_self" {
  security_group_id            = aws_security_group.eks.id
  description                  = "All traffic between members of this group (control plane and nodes)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.eks.id

  tags = merge(var.tags, { Name = "${var.security_group_names.eks}-self" })
}

resource "aws_vpc_security_group_ingress_rule" "eks_api" {
  security_group_id = aws_security_group.eks.id
  description       = "Kubernetes API (private endpoint) from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.vpc_cidr

  tags = merge(var.tags, { Name = "${var.security_group_names.eks}-api" })
}

resource "aws_vpc_security_group_ingress_rule" "eks_custom" {
  for_each = { for port in var.security.custom_ports : tostring(port) => port }

  security_group_id = aws_security_group.eks.id
  description       = "Application port ${each.value} from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = var.vpc_cidr

  tags = merge(var.tags, { Name = "${var.security_group_names.eks}-${each.key}" })
}

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:Attached by layer 03-database (a separate state), which checkov cannot see from here.
  name        = var.security_group_names.database
  description = "Database instances of ${var.vpc_name}: database ports from the VPC only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.security_group_names.database })
}

resource "aws_vpc_security_group_ingress_rule" "database" {
  for_each = { for port in var.security.database_ports : tostring(port) => port }

  security_group_id = aws_security_group.database.id
  description       = "Database port ${each.value} from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = var.vpc_cidr

  tags = merge(var.tags, { Name = "${var.security_group_names.database}-${each.key}" })
}

resource "aws_security_group" "compute" {
  #checkov:skip=CKV2_AWS_5:Attached by layer 04-standalone-compute (a separate state), which checkov cannot see from here.
  name        = var.security_group_names.compute
  description = "Standalone compute instances of ${var.vpc_name}: application ports from the VPC only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.security_group_names.compute })
}

resource "aws_vpc_security_group_ingress_rule" "compute_custom" {
  for_each = { for port in var.security.custom_ports : tostring(port) => port }

  security_group_id = aws_security_group.compute.id
  description       = "Application port ${each.value} from inside the VPC"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = var.vpc_cidr

  tags = merge(var.tags, { Name = "${var.security_group_names.compute}-${each.key}" })
}

# Egress, identical for the three groups: anything inside the VPC (DNS resolver, other tiers, VPN-reachable
# routes excluded) and HTTPS to the internet through the NAT gateways (AWS APIs, ECR, S3, package mirrors).
locals {
  security_group_ids = {
    eks      = aws_security_group.eks.id
    database = aws_security_group.database.id
    compute  = aws_security_group.compute.id
  }
}

resource "aws_vpc_security_group_egress_rule" "vpc" {
  for_each = local.security_group_ids

  security_group_id = each.value
  description       = "Any traffic to the VPC"
  ip_protocol       = "-1"
  cidr_ipv4         = var.vpc_cidr

  tags = merge(var.tags, { Name = "${var.security_group_names[each.key]}-to-vpc" })
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each = local.security_group_ids

  security_group_id = each.value
  description       = "HTTPS to AWS APIs, container registries and package mirrors (through the NAT gateways)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = merge(var.tags, { Name = "${var.security_group_names[each.key]}-https-out" })
}

################################################################################
# Optional site-to-site VPN
################################################################################

resource "aws_customer_gateway" "this" {
  count = local.vpn_enabled ? 1 : 0

  type       = "ipsec.1"
  ip_address = var.vpn.customer_gateway_ip
  # 2-byte and 4-byte ASNs up to 2147483647 go in bgp_asn; larger 4-byte ASNs need bgp_asn_extended. EC2 requires
  # one of them even for a static-routes VPN, where the ASN is never used: local.customer_gateway_asn falls back
  # to var.static_routes_default_bgp_asn (65000) when the client has none.
  bgp_asn          = local.customer_gateway_asn <= 2147483647 ? tostring(local.customer_gateway_asn) : null
  bgp_asn_extended = local.customer_gateway_asn > 2147483647 ? tostring(local.customer_gateway_asn) : null

  tags = merge(var.tags, { Name = var.vpn_names.customer_gateway, Description = local.vpn_description })
}

resource "aws_vpn_gateway" "this" {
  count = local.vpn_enabled ? 1 : 0

  vpc_id          = aws_vpc.this.id
  amazon_side_asn = tostring(var.vpn.amazon_side_asn)

  tags = merge(var.tags, { Name = var.vpn_names.vpn_gateway })
}

resource "aws_vpn_connection" "this" {
  count = local.vpn_enabled ? 1 : 0

  type                = "ipsec.1"
  vpn_gateway_id      = aws_vpn_gateway.this[0].id
  customer_gateway_id = aws_customer_gateway.this[0].id
  static_routes_only  = var.vpn.static_routes_only
  tunnel1_inside_cidr = var.vpn.tunnel1_inside_cidr
  tunnel2_inside_cidr = var.vpn.tunnel2_inside_cidr
  # Tunnel pre-shared keys live in AWS Secrets Manager, not in the Terraform state (design.md decision 8).
  preshared_key_storage = "SecretsManager"

  tags = merge(var.tags, { Name = var.vpn_names.connection, Description = local.vpn_description })
}

# Static VPN: the connection learns the client's network, and the private/EKS route tables send it to the VGW.
resource "aws_vpn_connection_route" "local_network" {
  count = local.vpn_static ? 1 : 0

  vpn_connection_id      = aws_vpn_connection.this[0].id
  destination_cidr_block = var.vpn.local_network_cidr
}

resource "aws_route" "vpn_static" {
  for_each = local.vpn_static ? local.vpn_route_table_ids : {}

  route_table_id         = each.value
  destination_cidr_block = var.vpn.local_network_cidr
  gateway_id             = aws_vpn_gateway.this[0].id
}

# Dynamic (BGP) VPN: routes learned over BGP are propagated into the private/EKS route tables.
resource "aws_vpn_gateway_route_propagation" "this" {
  for_each = local.vpn_bgp ? local.vpn_route_table_ids : {}

  vpn_gateway_id = aws_vpn_gateway.this[0].id
  route_table_id = each.value
}
