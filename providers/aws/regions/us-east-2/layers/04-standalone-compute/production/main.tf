# Layer 04: the optional analytics instance of ONE client: the workspace is the client name.

locals {
  client_known = contains(keys(var.clients), terraform.workspace)
  client       = local.client_known ? var.clients[terraform.workspace] : null

  analytics_enabled = local.client_known ? (local.client.enabled && local.client.compute.analytics_enabled) : false
  azs               = try(local.client.network.availability_zones, [])
  foundation        = try(data.terraform_remote_state.foundation[0].outputs, null)
}

resource "terraform_data" "workspace_guard" {
  lifecycle {
    precondition {
      condition     = local.client_known
      error_message = "Workspace \"${terraform.workspace}\" is not a client of this layer. Select a client workspace: terraform workspace select <client>. Known clients: ${join(", ", sort(keys(var.clients)))}."
    }
  }
}

# Disabled for a workspace that is not a client, so the tagging module's own validations (which require the
# rendered tag keys) cannot fail before the workspace guard: the guard is the first and only error (as 01/02).
module "tags" {
  source = "../../../../../../../modules/tagging"

  enabled     = local.client_known
  client_tags = local.client_known ? local.client.tags : {}
  layer       = var.settings.layer
}

# VPC and private subnets of the same client (workspace) from layer 01.
data "terraform_remote_state" "foundation" {
  count = local.analytics_enabled ? 1 : 0

  backend   = "s3"
  workspace = terraform.workspace
  config    = var.settings.remote_state["01-foundation"]
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
