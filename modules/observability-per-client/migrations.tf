# State moves for refactorings of this module (terraform-aws-modules convention). Each block maps an address that
# existing states hold to its new address, so Terraform moves the object instead of destroying and recreating it.
# Keep them: removing a block later makes states that were not yet migrated plan a replacement.

# The hand-written KMS key (and alias) moved into modules/kms-key. Replacing the key would lose access to everything
# it encrypts, so the existing key must move.
moved {
  from = aws_kms_key.secrets
  to   = module.secrets_kms.aws_kms_key.this
}

# The four IRSA roles (role + trust policy) moved into modules/irsa-role; their S3 policies stay here.

moved {
  from = aws_iam_role.storage["prometheus"]
  to   = module.storage_role["prometheus"].aws_iam_role.this
}

moved {
  from = aws_iam_role.storage["loki"]
  to   = module.storage_role["loki"].aws_iam_role.this
}

moved {
  from = aws_iam_role.storage["tempo"]
  to   = module.storage_role["tempo"].aws_iam_role.this
}

moved {
  from = aws_iam_role.storage["fluent-bit"]
  to   = module.storage_role["fluent-bit"].aws_iam_role.this
}
