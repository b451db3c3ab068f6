# Layer 01-foundation: one client's network. The Terraform workspace selects the client (design.md decision 5):
#   terraform workspace select -or-create acme-corp && terraform plan

locals {
  # `enabled: false` in the registry keeps the client on file but removes its network.
  create = local.client_known ? local.client.enabled : false
}

module "vpc" {
  source = "../../../../../../../modules/client-vpc"
  count  = local.create ? 1 : 0

  vpc_name                 = local.client.names.vpc
  internet_gateway_name    = local.client.names.internet_gateway
  route_table_names        = local.client.names.route_tables
  security_group_names     = local.client.names.security_groups
  vpn_names                = local.client.names.vpn
  flow_logs_kms_alias_name = local.client.names.kms_aliases["vpc_flow_logs"]
  vpc_cidr                 = local.client.network.vpc_cidr
  subnets                  = local.client.network.subnets
  subnet_names             = local.client.names.subnets
  nat_gateway_azs          = local.client.network.nat_gateway_azs
  nat_gateway_names        = local.client.names.nat_gateways
  flow_logs_iam_role_name  = local.client.names.iam_roles["vpc_flow_logs"]
  flow_logs_log_group_name = local.client.names.log_groups["vpc_flow_logs"]
  security                 = local.client.security
  vpn                      = local.client.vpn
  tags                     = module.tags.tags
}
