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

# The instance, its role, instance profile, policy attachments and alarms moved into modules/hardened-instance
# (shared with postgres-cluster). Replacing the instance would lose its root volume.
moved {
  from = aws_instance.analytics
  to   = module.instance.aws_instance.this
}

moved {
  from = aws_iam_role.analytics
  to   = module.instance.aws_iam_role.this[0]
}

moved {
  from = aws_iam_role_policy_attachment.analytics
  to   = module.instance.aws_iam_role_policy_attachment.this
}

moved {
  from = aws_iam_instance_profile.analytics
  to   = module.instance.aws_iam_instance_profile.this[0]
}

moved {
  from = aws_cloudwatch_metric_alarm.cpu
  to   = module.instance.aws_cloudwatch_metric_alarm.cpu
}

moved {
  from = aws_cloudwatch_metric_alarm.status_check
  to   = module.instance.aws_cloudwatch_metric_alarm.status_check
}

moved {
  from = aws_security_group.analytics
  to   = module.instance.aws_security_group.this[0]
}

moved {
  from = aws_vpc_security_group_egress_rule.web
  to   = module.instance.aws_vpc_security_group_egress_rule.web
}
