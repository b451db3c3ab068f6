# One hardened EC2 instance: Debian 13 from Debian's own account, IMDSv2 only, encrypted gp3 root volume,
# detailed monitoring, EBS optimisation, no key pair and no public IP (SSM Session Manager only), an instance
# profile and a security group (web egress only) that are either created here or given, and the standard CPU and
# status-check alarms. Ingress rules, data volumes and user data stay with the caller.

data "aws_partition" "current" {}

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
  create_iam_role = var.iam_role_name != null
}

# ---------------------------------------------------------------------------------------------------
# Instance role (only when iam_role_name is set): SSM Session Manager (no SSH, no key pair), CloudWatch agent.

data "aws_iam_policy_document" "ec2_assume" {
  count = local.create_iam_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  count = local.create_iam_role ? 1 : 0

  name               = var.iam_role_name
  description        = var.iam_role_description
  assume_role_policy = data.aws_iam_policy_document.ec2_assume[0].json
  tags               = merge(var.tags, { Name = var.iam_role_name })
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.create_iam_role ? toset(["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"]) : toset([])

  role       = aws_iam_role.this[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.key}"
}

resource "aws_iam_instance_profile" "this" {
  count = local.create_iam_role ? 1 : 0

  name = var.iam_role_name
  role = aws_iam_role.this[0].name
  tags = merge(var.tags, { Name = var.iam_role_name })
}

# ---------------------------------------------------------------------------------------------------
# Security group (only when security_group_name is set): egress to AWS APIs and package mirrors. The caller
# adds its own ingress and VPC egress rules to security_group_id.

resource "aws_security_group" "this" {
  count = var.security_group_name == null ? 0 : 1

  name        = var.security_group_name
  description = var.security_group_description
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = var.security_group_name })
}

resource "aws_vpc_security_group_egress_rule" "web" {
  # Through the NAT gateway: AWS APIs (SSM, Secrets Manager, CloudWatch, S3 agent packages) on 443,
  # Debian (and other) apt mirrors on 80/443 (apt verifies packages by signature).
  for_each = var.security_group_name == null ? toset([]) : toset(["80", "443"])

  security_group_id = aws_security_group.this[0].id
  description       = "Outbound TCP ${each.key}: AWS APIs and package mirrors via NAT"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = "0.0.0.0/0"
  tags              = merge(var.tags, { Name = "${var.security_group_rule_name_prefix}-out-${each.key}" })
}

# ---------------------------------------------------------------------------------------------------
# Instance

resource "aws_instance" "this" {
  ami                         = data.aws_ami.debian.id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = concat(aws_security_group.this[*].id, var.additional_security_group_ids)
  iam_instance_profile        = local.create_iam_role ? aws_iam_instance_profile.this[0].name : var.iam_instance_profile
  associate_public_ip_address = false
  ebs_optimized               = true
  monitoring                  = true
  user_data_base64            = var.user_data_base64

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size
    encrypted             = true
    kms_key_id            = var.kms_key_arn
    delete_on_termination = true
    tags                  = merge(var.tags, { Name = "${var.name}-root" })
  }

  maintenance_options {
    auto_recovery = "default"
  }

  tags = merge(var.tags, var.instance_tags, { Name = var.name })

  lifecycle {
    # A new Debian AMI or user-data change must not replace a running instance: cloud-init runs once.
    # Replace deliberately (terraform apply -replace=...).
    ignore_changes = [ami, user_data_base64]

    # Ordering only: referencing create_after makes the instance wait for what its bootstrap reads
    # (e.g. secret versions and role policies) without a module-wide depends_on.
    precondition {
      condition     = alltrue([for id in var.create_after : id != ""])
      error_message = "create_after must hold ids of existing resources (none may be empty)."
    }
  }
}

# ---------------------------------------------------------------------------------------------------
# Alarms

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.name}-cpu"
  alarm_description   = "${var.description_subject}: CPU above ${var.cpu_alarm_threshold}% for 15 minutes"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  dimensions          = { InstanceId = aws_instance.this.id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.cpu_alarm_threshold
  treat_missing_data  = "missing"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = merge(var.tags, { Name = "${var.name}-cpu" })
}

resource "aws_cloudwatch_metric_alarm" "status_check" {
  alarm_name          = "${var.name}-status-check"
  alarm_description   = "${var.description_subject}: EC2 instance or system status check failed"
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = aws_instance.this.id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = merge(var.tags, { Name = "${var.name}-status-check" })
}
