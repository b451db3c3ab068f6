# Optional analytics instance of one client (Debian 13, private subnet, SSM only, no key pair).
# The layer calls this module with count = compute.analytics_enabled ? 1 : 0.

data "aws_region" "current" {}

locals {
  region     = data.aws_region.current.region
  data_mount = "/data"

  cloudwatch_agent_config = jsonencode({
    agent = { metrics_collection_interval = 60, run_as_user = "root" }
    metrics = {
      namespace              = "CWAgent"
      append_dimensions      = { InstanceId = "$${aws:InstanceId}" }
      aggregation_dimensions = [["InstanceId"], ["InstanceId", "path"]]
      metrics_collected = {
        disk = { measurement = ["used_percent"], resources = ["/", local.data_mount], drop_device = true }
        mem  = { measurement = ["mem_used_percent"] }
      }
    }
    logs = {
      logs_collected = {
        files = {
          collect_list = [
            { file_path = "/var/log/cloud-init-output.log", log_group_name = var.log_group_name, log_stream_name = "{instance_id}/cloud-init-output" },
            { file_path = "${local.data_mount}/logs/**.log", log_group_name = var.log_group_name, log_stream_name = "{instance_id}/analytics" },
          ]
        }
      }
    }
  })
}

# ---------------------------------------------------------------------------------------------------
# Encryption key: root and data volumes, log group.

module "kms" {
  source = "../kms-key"

  name                            = trimprefix(var.kms_alias_name, "alias/")
  alias_name                      = var.kms_alias_name
  description                     = "${var.name_prefix} analytics instance: EBS volumes and log group"
  cloudwatch_logs_log_group_names = [var.log_group_name]
  tags                            = var.tags
}

# ---------------------------------------------------------------------------------------------------
# Network: the client's custom ports from its own VPC only (security group and web egress: modules/hardened-instance).

resource "aws_vpc_security_group_ingress_rule" "custom" {
  for_each = toset([for p in var.custom_ports : tostring(p)])

  security_group_id = module.instance.security_group_id
  description       = "Custom port ${each.key} from the client VPC"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = var.vpc_cidr
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-in-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "vpc" {
  security_group_id = module.instance.security_group_id
  description       = "Outbound TCP inside the client VPC (databases, cluster services)"
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_ipv4         = var.vpc_cidr
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-out-vpc" })
}

# ---------------------------------------------------------------------------------------------------
# Logs, volume, instance (the hardened instance itself: modules/hardened-instance, with its role and alarms)

resource "aws_cloudwatch_log_group" "analytics" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = module.kms.key_arn
  tags              = merge(var.tags, { Name = var.log_group_name })
}

resource "aws_ebs_volume" "data" {
  availability_zone = var.placement.availability_zone
  size              = var.data_volume_size
  type              = "gp3"
  encrypted         = true
  kms_key_id        = module.kms.key_arn
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-data" })
}

module "instance" {
  source = "../hardened-instance"

  name                            = var.resource_prefix
  description_subject             = "Analytics instance of ${var.name_prefix}"
  instance_type                   = var.instance_type
  subnet_id                       = var.placement.subnet_id
  security_group_name             = var.security_group_name
  security_group_description      = "Analytics instance of ${var.name_prefix}: custom ports from the client VPC only"
  security_group_rule_name_prefix = var.resource_prefix
  vpc_id                          = var.vpc_id
  additional_security_group_ids   = var.additional_security_group_ids
  root_volume_size                = var.root_volume_size
  kms_key_arn                     = module.kms.key_arn
  iam_role_name                   = var.iam_role_name
  iam_role_description            = "${var.name_prefix} analytics instance: SSM and CloudWatch agent"
  alarm_actions                   = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]
  cpu_alarm_threshold             = var.cpu_alarm_threshold
  tags                            = var.tags

  user_data_base64 = base64gzip(templatefile("${path.module}/templates/user-data.yaml.tftpl", {
    region                  = local.region
    data_volume_id          = aws_ebs_volume.data.id
    data_device             = "/dev/sdf"
    data_mount              = local.data_mount
    cloudwatch_agent_config = local.cloudwatch_agent_config
    bootstrap_script        = file("${path.module}/templates/analytics-bootstrap.sh")
  }))
}

resource "aws_volume_attachment" "data" {
  device_name                    = "/dev/sdf"
  volume_id                      = aws_ebs_volume.data.id
  instance_id                    = module.instance.instance_id
  stop_instance_before_detaching = true
}
