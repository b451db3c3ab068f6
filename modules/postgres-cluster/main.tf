# PostgreSQL master (+ optional streaming replica) on EC2 for one client.
# Passwords: generated as ephemeral values, written to Secrets Manager through write-only arguments
# (never in plan, state, tfvars or user-data) and read by the instances at boot through their role.

data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.region

  nodes = merge(
    { master = var.master_placement },
    { for k, v in { replica = var.replica_placement } : k => v if var.replica_enabled },
  )

  # Separate volumes so that data, WAL and backups never compete for space or IOPS, and survive an
  # instance replacement (the bootstrap adopts an existing cluster instead of formatting).
  volume_kinds = {
    data   = { size = var.data_volume_size, device = "/dev/sdf", mount = "/var/lib/postgresql" }
    wal    = { size = var.wal_volume_size, device = "/dev/sdg", mount = "/var/lib/postgresql-wal" }
    backup = { size = var.backup_volume_size, device = "/dev/sdh", mount = "/var/backups/postgresql" }
  }

  volumes = {
    for pair in setproduct(keys(local.nodes), keys(local.volume_kinds)) :
    "${pair[0]}-${pair[1]}" => merge(local.volume_kinds[pair[1]], {
      node              = pair[0]
      kind              = pair[1]
      availability_zone = local.nodes[pair[0]].availability_zone
    })
  }

  # DLM targets volumes by this single tag (DLM ORs target tags, so one unique tag per client).
  snapshot_tag = { SnapshotPolicy = var.snapshot_target_tag }

  secret_roles = {
    superuser   = { name = var.secret_names.superuser, username = "postgres" }
    replication = { name = var.secret_names.replication, username = "replicator" }
  }


  # Keep at most half of the WAL volume for a lagging replica's slot, so a dead replica never fills it.
  max_slot_wal_keep_mb = floor(var.wal_volume_size * 1024 / 2)

  # Filesystems watched by the CloudWatch agent and the disk alarms, by short name.
  mounts_by_name = merge({ root = "/" }, { for k, v in local.volume_kinds : k => v.mount })
  mounts         = [for k in sort(keys(local.mounts_by_name)) : local.mounts_by_name[k]]

  cloudwatch_agent_config = jsonencode({
    agent = { metrics_collection_interval = 60, run_as_user = "root" }
    metrics = {
      namespace              = "CWAgent"
      append_dimensions      = { InstanceId = "$${aws:InstanceId}" }
      aggregation_dimensions = [["InstanceId"], ["InstanceId", "path"]]
      metrics_collected = {
        disk   = { measurement = ["used_percent"], resources = local.mounts, drop_device = true }
        mem    = { measurement = ["mem_used_percent"] }
        statsd = { service_address = "127.0.0.1:8125", metrics_collection_interval = 60, metrics_aggregation_interval = 60 }
      }
    }
    logs = {
      logs_collected = {
        files = {
          collect_list = [
            { file_path = "/var/log/postgresql/postgresql-*.log", log_group_name = var.log_group_name, log_stream_name = "{instance_id}/postgresql" },
            { file_path = "/var/log/cloud-init-output.log", log_group_name = var.log_group_name, log_stream_name = "{instance_id}/cloud-init-output" },
          ]
        }
      }
    }
  })

  user_data_common = {
    pg_version              = var.engine_version
    port                    = var.port
    vpc_cidr                = var.vpc_cidr
    region                  = local.region
    superuser_secret_arn    = aws_secretsmanager_secret.this["superuser"].arn
    replication_secret_arn  = aws_secretsmanager_secret.this["replication"].arn
    replica_enabled         = var.replica_enabled
    max_slot_wal_keep_mb    = local.max_slot_wal_keep_mb
    cloudwatch_agent_config = local.cloudwatch_agent_config
    bootstrap_script        = file("${path.module}/templates/pg-bootstrap.sh")
    sync_passwords_script   = file("${path.module}/templates/pg-sync-passwords.sh")
    basebackup_script       = file("${path.module}/templates/pg-basebackup.sh")
    ensure_slot_script      = file("${path.module}/templates/pg-ensure-slot.sh")
    replication_lag_script  = file("${path.module}/templates/pg-replication-lag.sh")
    secret_helper           = file("${path.module}/templates/clientctl-secret.py")
  }
}

# ---------------------------------------------------------------------------------------------------
# Encryption key: EBS volumes, secrets and the log group of this client's database.

module "kms" {
  source = "../kms-key"

  name                            = trimprefix(var.kms_alias_name, "alias/")
  alias_name                      = var.kms_alias_name
  description                     = "${var.name_prefix} PostgreSQL: EBS volumes, Secrets Manager passwords, log group"
  cloudwatch_logs_log_group_names = [var.log_group_name]
  tags                            = var.tags
}

# ---------------------------------------------------------------------------------------------------
# Passwords: one secret per client and role (design decision 8).

ephemeral "random_password" "this" {
  for_each = local.secret_roles

  length           = 32
  special          = true
  override_special = "-_.+=~" # safe in .pgpass, conninfo strings and SQL literals
  min_lower        = 2
  min_upper        = 2
  min_numeric      = 2
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:No managed rotation exists for self-hosted PostgreSQL on EC2; rotate by raising password_version and running clientctl-pg-sync-passwords through SSM (README)
  for_each = local.secret_roles

  name        = each.value.name
  description = "${var.name_prefix} PostgreSQL ${each.value.username} password (generated by Terraform, read by the instances at boot)"
  kms_key_id  = module.kms.key_arn
  # 0 = delete at once on destroy. With a recovery window the name stays reserved for that many days, so
  # offboarding and onboarding the same client again within the window fails at CreateSecret ("scheduled
  # for deletion"). Trade-off: a destroyed secret cannot be restored; the value is regenerated on the next
  # apply anyway (README).
  recovery_window_in_days = 0
  tags                    = merge(var.tags, { Name = each.value.name })
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each = local.secret_roles

  secret_id = aws_secretsmanager_secret.this[each.key].id
  # Write-only: sent to AWS on create and whenever password_version changes, never stored in state.
  secret_string_wo = jsonencode({
    username = each.value.username
    password = ephemeral.random_password.this[each.key].result
  })
  secret_string_wo_version = var.password_version
}

# ---------------------------------------------------------------------------------------------------
# Instance role (created by the master's modules/hardened-instance call: SSM Session Manager, no SSH, no key
# pair, CloudWatch agent); here its inline policy for exactly two secrets.

data "aws_iam_policy_document" "secrets" {
  statement {
    sid       = "ReadOwnPasswords"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [for s in aws_secretsmanager_secret.this : s.arn]
  }

  statement {
    sid       = "DecryptThemThroughSecretsManager"
    actions   = ["kms:Decrypt"]
    resources = [module.kms.key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "secrets" {
  name   = "read-postgres-secrets"
  role   = module.master.iam_role_name
  policy = data.aws_iam_policy_document.secrets.json
}

# ---------------------------------------------------------------------------------------------------
# Network: database ports from the client VPC only, on the security group of the master's call (shared with the
# replica), whose egress is otherwise limited to what bootstrap and agents need (80/443 via NAT).

resource "aws_vpc_security_group_ingress_rule" "database" {
  for_each = toset([for p in var.database_ports : tostring(p)])

  security_group_id = module.master.security_group_id
  description       = "PostgreSQL port ${each.key} from the client VPC"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = var.vpc_cidr
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-in-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "database" {
  for_each = toset([for p in var.database_ports : tostring(p)])

  security_group_id = module.master.security_group_id
  description       = "Streaming replication and clients inside the VPC on port ${each.key}"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = var.vpc_cidr
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-out-${each.key}" })
}

# ---------------------------------------------------------------------------------------------------
# Logs

resource "aws_cloudwatch_log_group" "postgres" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = module.kms.key_arn
  tags              = merge(var.tags, { Name = var.log_group_name })
}

# ---------------------------------------------------------------------------------------------------
# Volumes and instances

resource "aws_ebs_volume" "this" {
  for_each = local.volumes

  availability_zone = each.value.availability_zone
  size              = each.value.size
  type              = "gp3"
  encrypted         = true
  kms_key_id        = module.kms.key_arn
  tags = merge(var.tags, local.snapshot_tag, {
    Name         = "${var.resource_prefix}-${each.key}"
    PostgresRole = each.value.node
    VolumeKind   = each.value.kind
  })
}

# The passwords must exist, and the role must be allowed to read them, before the bootstrap reads them
# (create_after). A new Debian AMI or template change never replaces a running database (cloud-init runs
# once); replace deliberately (terraform apply -replace=...): the data volumes are re-attached and adopted.
locals {
  bootstrap_prerequisites = [
    aws_secretsmanager_secret_version.this["superuser"].id,
    aws_secretsmanager_secret_version.this["replication"].id,
    aws_iam_role_policy.secrets.id,
  ]
}

module "master" {
  source = "../hardened-instance"

  name                            = "${var.resource_prefix}-master"
  description_subject             = "PostgreSQL master of ${var.name_prefix}"
  instance_tags                   = { PostgresRole = "master" }
  subnet_id                       = var.master_placement.subnet_id
  iam_role_name                   = var.iam_role_name
  iam_role_description            = "${var.name_prefix} PostgreSQL instances: SSM, CloudWatch agent, own passwords"
  instance_type                   = var.instance_type
  security_group_name             = var.security_group_name
  security_group_description      = "PostgreSQL of ${var.name_prefix}: database ports from the client VPC only"
  security_group_rule_name_prefix = var.resource_prefix
  vpc_id                          = var.vpc_id
  additional_security_group_ids   = var.additional_security_group_ids
  root_volume_size                = var.root_volume_size
  kms_key_arn                     = module.kms.key_arn
  create_after                    = local.bootstrap_prerequisites
  alarm_actions                   = local.alarm_actions
  cpu_alarm_threshold             = var.cpu_alarm_threshold
  tags                            = var.tags

  # gzip: cloud-init inflates it; the scripts exceed half of the 16 KB user-data limit in clear.
  user_data_base64 = base64gzip(templatefile("${path.module}/templates/user-data.yaml.tftpl", merge(local.user_data_common, {
    role        = "master"
    master_host = ""
    volumes     = { for k, v in local.volume_kinds : k => merge(v, { id = aws_ebs_volume.this["master-${k}"].id }) }
  })))
}

# Not a for_each with the master: the replica's user data needs the master's private IP.
module "replica" {
  source = "../hardened-instance"
  count  = var.replica_enabled ? 1 : 0

  name                          = "${var.resource_prefix}-replica"
  description_subject           = "PostgreSQL replica of ${var.name_prefix}"
  instance_tags                 = { PostgresRole = "replica" }
  subnet_id                     = var.replica_placement.subnet_id
  iam_instance_profile          = module.master.instance_profile_name
  instance_type                 = var.instance_type
  additional_security_group_ids = concat([module.master.security_group_id], var.additional_security_group_ids)
  root_volume_size              = var.root_volume_size
  kms_key_arn                   = module.kms.key_arn
  create_after                  = local.bootstrap_prerequisites
  alarm_actions                 = local.alarm_actions
  cpu_alarm_threshold           = var.cpu_alarm_threshold
  tags                          = var.tags

  user_data_base64 = base64gzip(templatefile("${path.module}/templates/user-data.yaml.tftpl", merge(local.user_data_common, {
    role        = "replica"
    master_host = module.master.private_ip
    volumes     = { for k, v in local.volume_kinds : k => merge(v, { id = aws_ebs_volume.this["replica-${k}"].id }) }
  })))
}

locals {
  instance_ids = merge(
    { master = module.master.instance_id },
    { for m in module.replica : "replica" => m.instance_id },
  )
}

resource "aws_volume_attachment" "this" {
  for_each = local.volumes

  device_name = each.value.device
  volume_id   = aws_ebs_volume.this[each.key].id
  instance_id = local.instance_ids[each.value.node]
  # Stop PostgreSQL cleanly (instance stop) before a volume is detached.
  stop_instance_before_detaching = true
}

# ---------------------------------------------------------------------------------------------------
# Snapshots: daily, kept backup_retention_days, volumes selected by tag.

data "aws_iam_policy_document" "dlm_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["dlm.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "dlm" {
  name               = var.dlm_iam_role_name
  description        = "${var.name_prefix} PostgreSQL: Data Lifecycle Manager snapshots"
  assume_role_policy = data.aws_iam_policy_document.dlm_assume.json
  tags               = merge(var.tags, { Name = var.dlm_iam_role_name })
}

resource "aws_iam_role_policy_attachment" "dlm" {
  role       = aws_iam_role.dlm.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole"
}

resource "aws_dlm_lifecycle_policy" "snapshots" {
  # DLM descriptions allow only letters, digits, spaces, - and _.
  description        = "${var.name_prefix} PostgreSQL volumes daily snapshots kept ${var.backup_retention_days} days"
  execution_role_arn = aws_iam_role.dlm.arn
  state              = "ENABLED"

  policy_details {
    resource_types = ["VOLUME"]
    target_tags    = local.snapshot_tag

    schedule {
      name      = "daily-${var.backup_retention_days}d"
      copy_tags = true

      create_rule {
        interval      = 24
        interval_unit = "HOURS"
        times         = [var.snapshot_time]
      }

      retain_rule {
        count = var.backup_retention_days
      }

      tags_to_add = { SnapshotCreator = "dlm" }
    }
  }

  tags = merge(var.tags, { Name = "${var.resource_prefix}-snapshots" })
}

# ---------------------------------------------------------------------------------------------------
# Alarms

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  disk_alarms = {
    for pair in setproduct(keys(local.nodes), keys(local.mounts_by_name)) :
    "${pair[0]}-${pair[1]}" => { node = pair[0], path = local.mounts_by_name[pair[1]] }
  }
}

resource "aws_cloudwatch_metric_alarm" "disk" {
  for_each = local.disk_alarms

  alarm_name          = "${var.resource_prefix}-${each.key}-disk"
  alarm_description   = "PostgreSQL ${each.value.node} of ${var.name_prefix}: ${each.value.path} above ${var.disk_alarm_threshold}% used (CloudWatch agent)"
  namespace           = "CWAgent"
  metric_name         = "disk_used_percent"
  dimensions          = { InstanceId = local.instance_ids[each.value.node], path = each.value.path }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.disk_alarm_threshold
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = merge(var.tags, { Name = "${var.resource_prefix}-${each.key}-disk" })
}

resource "aws_cloudwatch_metric_alarm" "replication_lag" {
  count = var.replica_enabled ? 1 : 0

  alarm_name          = "${var.resource_prefix}-replica-replication-lag"
  alarm_description   = "PostgreSQL replica of ${var.name_prefix}: replay lag above ${var.replication_lag_alarm_seconds}s, or no lag metric (replica or agent down)"
  namespace           = "CWAgent"
  metric_name         = "postgres_replication_lag_seconds"
  dimensions          = { InstanceId = module.replica[0].instance_id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.replication_lag_alarm_seconds
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = merge(var.tags, { Name = "${var.resource_prefix}-replica-replication-lag" })
}

resource "aws_cloudwatch_metric_alarm" "replication_streaming" {
  count = var.replica_enabled ? 1 : 0

  alarm_name          = "${var.resource_prefix}-replica-not-streaming"
  alarm_description   = "PostgreSQL replica of ${var.name_prefix}: WAL receiver not streaming from the master"
  namespace           = "CWAgent"
  metric_name         = "postgres_wal_receiver_streaming"
  dimensions          = { InstanceId = module.replica[0].instance_id }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = merge(var.tags, { Name = "${var.resource_prefix}-replica-not-streaming" })
}
