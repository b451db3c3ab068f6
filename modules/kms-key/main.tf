# One customer-managed KMS key: rotation on, 30-day deletion window, optional alias, and the key policy every
# clientctl module uses (account root administers the key through IAM; optionally CloudWatch Logs may use it for
# the named log groups only).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  log_group_arns = [
    for name in var.cloudwatch_logs_log_group_names :
    "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"
  ]
}

data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_109:KMS key policy: "Resource": "*" means this key only, and the account-root statement is the AWS default that lets IAM policies grant access.
  #checkov:skip=CKV_AWS_111:KMS key policy: "Resource": "*" means this key only (a key policy cannot name other resources).
  #checkov:skip=CKV_AWS_356:KMS key policy: "Resource": "*" means this key only (a key policy cannot name other resources).
  statement {
    sid       = var.statement_ids.account_administration
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs may use the key only for the given log groups (encryption context = the log group ARN).
  dynamic "statement" {
    for_each = length(local.log_group_arns) > 0 ? [local.log_group_arns] : []

    content {
      sid = var.statement_ids.cloudwatch_logs
      actions = [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnEquals"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = statement.value
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  deletion_window_in_days = 30
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.this.json

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_kms_alias" "this" {
  count = var.alias_name == null ? 0 : 1

  name          = var.alias_name
  target_key_id = aws_kms_key.this.key_id
}
