# State moves for refactorings of this module (terraform-aws-modules convention). Each block maps an address that
# existing states hold to its new address, so Terraform moves the object instead of destroying and recreating it.
# Keep them: removing a block later makes states that were not yet migrated plan a replacement.

# The IRSA roles (role, trust policy, managed policy attachment) moved into modules/irsa-role, one instance per
# enabled service account; the inline policies stay here.

moved {
  from = aws_iam_role.cluster_autoscaler[0]
  to   = module.irsa_role["cluster-autoscaler"].aws_iam_role.this
}

moved {
  from = aws_iam_role.aws_load_balancer_controller[0]
  to   = module.irsa_role["aws-load-balancer-controller"].aws_iam_role.this
}

moved {
  from = aws_iam_role_policy_attachment.aws_load_balancer_controller[0]
  to   = module.irsa_role["aws-load-balancer-controller"].aws_iam_role_policy_attachment.this["aws-load-balancer-controller"]
}

moved {
  from = aws_iam_role.external_dns[0]
  to   = module.irsa_role["external-dns"].aws_iam_role.this
}
