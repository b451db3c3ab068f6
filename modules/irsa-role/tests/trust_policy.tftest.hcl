# terraform test (plan only): the IRSA role trusts exactly the one service account it serves, through the
# cluster's OIDC provider. aws is not mocked here: a mock_provider would mock the aws_iam_policy_document data
# source too (its json would be a random string), while the clientctl aws stand-in renders the document for real
# (clientctl iac check sets CLIENTCTL_STANDIN_MOCK=1, so it configures without an endpoint; nothing is called).
# Run: clientctl iac check --only test --path modules/irsa-role

variables {
  name              = "acme-corp-production-us-east-2-external-dns"
  description       = "external-dns of acme-corp"
  oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
  oidc_issuer_url   = "https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
  namespace         = "external-dns"
  service_account   = "external-dns"
  managed_policy_arns = {
    ecr = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
  }
  tags = { Client = "acme-corp", Layer = "05-cluster-services" }
}

run "trust_policy_names_exactly_the_service_account" {
  command = plan

  assert {
    condition     = length(jsondecode(aws_iam_role.this.assume_role_policy).Statement) == 1
    error_message = "The trust policy has exactly one statement."
  }
  assert {
    condition = (
      jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Effect == "Allow" &&
      jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity"
    )
    error_message = "The statement allows sts:AssumeRoleWithWebIdentity only."
  }
  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal == { Federated = var.oidc_provider_arn }
    error_message = "The only principal is the cluster's OIDC provider ARN (Federated)."
  }
  assert {
    condition = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Condition == {
      StringEquals = {
        "oidc.eks.us-east-2.amazonaws.com/id/ABCDEF:sub" = "system:serviceaccount:external-dns:external-dns"
        "oidc.eks.us-east-2.amazonaws.com/id/ABCDEF:aud" = "sts.amazonaws.com"
      }
    }
    error_message = "The conditions are exactly: sub = system:serviceaccount:<namespace>:<service account>, aud = sts.amazonaws.com, keyed by the issuer without https://."
  }
}

run "namespace_and_service_account_are_taken_from_the_inputs" {
  command = plan

  variables {
    namespace       = "monitoring"
    service_account = "loki"
    oidc_issuer_url = "oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
  }

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.us-east-2.amazonaws.com/id/ABCDEF:sub"] == "system:serviceaccount:monitoring:loki"
    error_message = "sub names the input namespace and service account (issuer given without https:// is used as is)."
  }
}

run "role_name_tags_and_attachments_come_from_the_inputs" {
  command = plan

  assert {
    condition     = aws_iam_role.this.name == var.name && aws_iam_role.this.tags["Name"] == var.name
    error_message = "The role is named (name and Name tag) from the rendered names.iam_roles value."
  }
  assert {
    condition     = alltrue([for k, v in var.tags : aws_iam_role.this.tags[k] == v])
    error_message = "The role carries every input tag."
  }
  assert {
    condition     = tomap({ for k, a in aws_iam_role_policy_attachment.this : k => a.policy_arn }) == var.managed_policy_arns
    error_message = "Exactly the managed policies given are attached."
  }
}
