# Optional analytics instance of one client (Debian 13, private subnet, SSM only, no key pair).
# The layer calls this module with count = compute.analytics_enabled ? 1 : 0.

data "aws_partition" "current" {}
data "aws_region" "current" {}

# Debian 13 (trixie) from Debian's own AWS account, never a look-alike from another owner.
data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"]

  filter {
    name   = "name"
    values = ["debian-13-amd64-*"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }

  filter {
    name   = "root-device-type"
    values = ["ebs"]
  }
}

locals {
  partition  = data.aws_partition.current.partition
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
# Instance role: SSM Session Manager (no SSH, no key pair) and the CloudWatch agent.

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "analytics" {
  name               = var.iam_role_name
  description        = "${var.name_prefix} analytics instance: SSM and CloudWatch agent"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = merge(var.tags, { Name = var.iam_role_name })
}

resource "aws_iam_role_policy_attachment" "analytics" {
  for_each = toset(["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"])

  role       = aws_iam_role.analytics.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}

resource "aws_iam_instance_profile" "analytics" {
  name = var.iam_role_name
  role = aws_iam_role.analytics.name
  tags = merge(var.tags, { Name = var.iam_role_name })
}

# ---------------------------------------------------------------------------------------------------
# Network: the client's custom ports from its own VPC only.

resource "aws_security_group" "analytics" {
  name        = var.security_group_name
  description = "Analytics instance of ${var.name_prefix}: custom ports from the client VPC only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = var.security_group_name })
}

resource "aws_vpc_security_group_ingress_rule" "custom" {
  for_each = toset([for p in var.custom_ports : tostring(p)])

  security_group_id = aws_security_group.analytics.id
  description       = "Custom port ${each.key} from the client VPC"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = var.vpc_cidr
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-in-${each.key}" })
}

resource "aws_vpc_security_group_egress_rule" "vpc" {
  security_group_id = aws_security_group.analytics.id
  description       = "Outbound TCP inside the client VPC (databases, cluster services)"
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_ipv4         = var.vpc_cidr
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-out-vpc" })
}

resource "aws_vpc_security_group_egress_rule" "web" {
  # Through the NAT gateway: AWS APIs (SSM, CloudWatch, S3) and package mirrors.
  for_each = toset(["80", "443"])

  security_group_id = aws_security_group.analytics.id
  description       = "Outbound TCP ${each.key}: AWS APIs and package mirrors via NAT"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = "0.0.0.0/0"
  tags              = merge(var.tags, { Name = "${var.resource_prefix}-out-${each.key}" })
}

# ---------------------------------------------------------------------------------------------------
# Logs, volume, instance

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

resource "aws_instance" "analytics" {
  ami                         = data.aws_ami.debian.id
  instance_type               = var.instance_type
  subnet_id                   = var.placement.subnet_id
  vpc_security_group_ids      = concat([aws_security_group.analytics.id], var.additional_security_group_ids)
  iam_instance_profile        = aws_iam_instance_profile.analytics.name
  associate_public_ip_address = false
  ebs_optimized               = true
  monitoring                  = true

  user_data_base64 = base64gzip(templatefile("${path.module}/templates/user-data.yaml.tftpl", {
    region                  = local.region
    data_volume_id          = aws_ebs_volume.data.id
    data_device             = "/dev/sdf"
    data_mount              = local.data_mount
    cloudwatch_agent_config = local.cloudwatch_agent_config
    bootstrap_script        = file("${path.module}/templates/analytics-bootstrap.sh")
  }))

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size
    encrypted             = true
    kms_key_id            = module.kms.key_arn
    delete_on_termination = true
    tags                  = merge(var.tags, { Name = "${var.resource_prefix}-root" })
  }

  maintenance_options {
    auto_recovery = "default"
  }

  tags = merge(var.tags, { Name = var.resource_prefix })

  lifecycle {
    # A new Debian AMI must not replace the instance on the next apply; replace deliberately.
    ignore_changes = [ami, user_data_base64]
  }
}

resource "aws_volume_attachment" "data" {
  device_name                    = "/dev/sdf"
  volume_id                      = aws_ebs_volume.data.id
  instance_id                    = aws_instance.analytics.id
  stop_instance_before_detaching = true
}

# ---------------------------------------------------------------------------------------------------
# Alarms

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.resource_prefix}-cpu"
  alarm_description   = "Analytics instance of ${var.name_prefix}: CPU above ${var.cpu_alarm_threshold}% for 15 minutes"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { InstanceId = aws_instance.analytics.id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.cpu_alarm_threshold
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = merge(var.tags, { Name = "${var.resource_prefix}-cpu" })
}

resource "aws_cloudwatch_metric_alarm" "status_check" {
  alarm_name          = "${var.resource_prefix}-status-check"
  alarm_description   = "Analytics instance of ${var.name_prefix}: EC2 instance or system status check failed"
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = aws_instance.analytics.id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = merge(var.tags, { Name = "${var.resource_prefix}-status-check" })
}
