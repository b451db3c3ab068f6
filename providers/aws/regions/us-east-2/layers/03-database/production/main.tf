# Layer 03: PostgreSQL master (+ streaming replica) of ONE client: the workspace is the client name.

locals {
  database_enabled = local.client_known ? (local.client.enabled && local.client.database.enabled) : false
  database_clients = local.database_enabled ? [local.client.name] : []
  azs              = try(local.client.network.availability_zones, [])
  foundation       = try(data.terraform_remote_state.foundation[0].outputs, null)
}

module "postgres" {
  source = "../../../../../../../modules/postgres-cluster"
  count  = local.database_enabled ? 1 : 0

  name_prefix         = local.client.names.prefix
  resource_prefix     = local.client.names.resource_prefixes.postgres
  security_group_name = local.client.names.security_groups.postgres
  kms_alias_name      = local.client.names.kms_aliases.postgres
  dlm_iam_role_name   = local.client.names.iam_roles.postgres_dlm
  snapshot_target_tag = local.client.names.snapshot_target_tags.postgres
  iam_role_name       = local.client.names.iam_roles.postgres
  log_group_name      = local.client.names.log_groups.postgres
  secret_names = {
    superuser   = local.client.names.secrets["postgres-superuser"]
    replication = local.client.names.secrets["postgres-replication"]
  }

  vpc_id   = local.foundation.vpc_id
  vpc_cidr = local.client.network.vpc_cidr
  # Master in the client's first AZ, replica in the second.
  master_placement = {
    availability_zone = local.azs[0]
    subnet_id         = local.foundation.private_subnet_ids[local.azs[0]]
  }
  replica_placement = local.client.database.replica_enabled ? {
    availability_zone = try(local.azs[1], null)
    subnet_id         = try(local.foundation.private_subnet_ids[local.azs[1]], null)
  } : null
  additional_security_group_ids = [local.foundation.database_security_group_id]

  database_ports        = local.client.security.database_ports
  port                  = local.client.database.port
  engine_version        = local.client.database.engine_version
  instance_type         = local.client.database.instance_type
  data_volume_size      = local.client.database.data_volume_size
  wal_volume_size       = local.client.database.wal_volume_size
  backup_volume_size    = local.client.database.backup_volume_size
  backup_retention_days = local.client.database.backup_retention_days
  replica_enabled       = local.client.database.replica_enabled

  alarm_sns_topic_arn = var.alarm_sns_topic_arn
  password_version    = var.password_version
  tags                = module.tags.tags

  depends_on = [terraform_data.workspace_guard]
}
