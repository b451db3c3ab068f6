# State moves for refactorings of this module (terraform-aws-modules convention). Each block maps an address that
# existing states hold to its new address, so Terraform moves the object instead of destroying and recreating it.
# Keep them: removing a block later makes states that were not yet migrated plan a replacement.

# The hand-written KMS key (and alias) moved into modules/kms-key. Replacing the key would lose access to everything
# it encrypts, so the existing key must move.
moved {
  from = aws_kms_key.this
  to   = module.kms.aws_kms_key.this
}

moved {
  from = aws_kms_alias.this
  to   = module.kms.aws_kms_alias.this[0]
}

# The master and replica instances, the shared instance role, its profile and policy attachments, and the per-node
# CPU and status-check alarms moved into modules/hardened-instance (one call per node; the master's call creates
# the role). Replacing a database instance is destructive, so every address must move.
moved {
  from = aws_instance.master
  to   = module.master.aws_instance.this
}

moved {
  from = aws_instance.replica[0]
  to   = module.replica[0].aws_instance.this
}

moved {
  from = aws_iam_role.postgres
  to   = module.master.aws_iam_role.this[0]
}

moved {
  from = aws_iam_role_policy_attachment.postgres
  to   = module.master.aws_iam_role_policy_attachment.this
}

moved {
  from = aws_iam_instance_profile.postgres
  to   = module.master.aws_iam_instance_profile.this[0]
}

moved {
  from = aws_cloudwatch_metric_alarm.cpu["master"]
  to   = module.master.aws_cloudwatch_metric_alarm.cpu
}

moved {
  from = aws_cloudwatch_metric_alarm.cpu["replica"]
  to   = module.replica[0].aws_cloudwatch_metric_alarm.cpu
}

moved {
  from = aws_cloudwatch_metric_alarm.status_check["master"]
  to   = module.master.aws_cloudwatch_metric_alarm.status_check
}

moved {
  from = aws_cloudwatch_metric_alarm.status_check["replica"]
  to   = module.replica[0].aws_cloudwatch_metric_alarm.status_check
}

moved {
  from = aws_security_group.postgres
  to   = module.master.aws_security_group.this[0]
}

moved {
  from = aws_vpc_security_group_egress_rule.web
  to   = module.master.aws_vpc_security_group_egress_rule.web
}
