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
