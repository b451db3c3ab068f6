# Layer 04: the optional analytics instance of ONE client: the workspace is the client name.

locals {
  analytics_enabled = local.client_known ? (local.client.enabled && local.client.compute.analytics_enabled) : false
  azs               = try(local.client.network.availability_zones, [])
  foundation        = try(data.terraform_remote_state.foundation[0].outputs, null)
}

module "analytics" {
  source = "../../../../../../../modules/standalone-compute"
  count  = local.analytics_enabled ? 1 : 0

  name_prefix         = local.client.names.prefix
  resource_prefix     = local.client.names.resource_prefixes.analytics
  security_group_name = local.client.names.security_groups.analytics
  kms_alias_name      = local.client.names.kms_aliases.analytics
  iam_role_name       = local.client.names.iam_roles.analytics
  log_group_name      = local.client.names.log_groups.analytics

  vpc_id   = local.foundation.vpc_id
  vpc_cidr = local.client.network.vpc_cidr
  placement = {
    availability_zone = local.azs[0]
    subnet_id         = local.foundation.private_subnet_ids[local.azs[0]]
  }
  additional_security_group_ids = [local.foundation.compute_security_group_id]
  custom_ports                  = local.client.security.custom_ports

  instance_type    = local.client.compute.instance_type
  root_volume_size = local.client.compute.root_volume_size
  data_volume_size = local.client.compute.data_volume_size

  alarm_sns_topic_arn = var.alarm_sns_topic_arn
  tags                = module.tags.tags

  depends_on = [terraform_data.workspace_guard]
}
