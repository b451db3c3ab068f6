# terraform test (plan only) of layer 06-observability: a client with `enabled: false` in the registry plans no resource
# here. The rendered clients come from clients.auto.tfvars.json, with the workspace client (acme-corp, as
# clientctl iac check runs layer roots in the workspace of their first rendered client) switched off. Run by
# hand in a copy of this folder: terraform init -backend=false && TF_WORKSPACE=acme-corp terraform test
#
# The assertions name every block of this root that can read or create something (module calls and data
# sources, all counted on the client being enabled); terraform_data.workspace_guard, which creates no
# infrastructure, is the only resource of a known client that stays.

# aws is not mocked: Terraform 1.15's mock providers refuse a configuration with ephemeral resources of the
# mocked provider (module.observability reads two aws_secretsmanager_secret_version), even under count = 0.
# The clientctl aws stand-in answers instead (see upstream.tftest.hcl); nothing is called.
mock_provider "helm" {}
mock_provider "kubernetes" {}

# Upstream layers "applied": should the guard let the disabled client through, the plan goes on and the
# assertions below fail (rather than the S3 read of the remote state).
override_data {
  target = data.terraform_remote_state.platform[0]
  values = {
    outputs = {
      cluster_name                       = "acme-corp-production-us-east-2"
      cluster_endpoint                   = "https://ABCDEF.gr7.us-east-2.eks.amazonaws.com"
      cluster_certificate_authority_data = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="
      oidc_provider_arn                  = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
      oidc_issuer_url                    = "https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
      default_storage_class_name         = "gp3"
    }
  }
}

run "disabled_client_has_zero_resources" {
  command = plan

  variables {
    clients = merge(jsondecode(file("clients.auto.tfvars.json")).clients, {
      "acme-corp" = merge(jsondecode(file("clients.auto.tfvars.json")).clients["acme-corp"], { enabled = false })
    })
  }

  assert {
    condition     = terraform.workspace == "acme-corp" && !var.clients["acme-corp"].enabled
    error_message = "The run plans the disabled acme-corp."
  }
  assert {
    condition     = length(module.observability) == 0 && length(data.terraform_remote_state.platform) == 0
    error_message = "A disabled client (enabled = false) gets no observability stack (module.observability), and no upstream state is read."
  }
}
