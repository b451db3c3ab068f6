# terraform test (mock providers, plan only) of layer 05 for one rendered client. Run in this folder:
#   terraform init -backend=false && TF_WORKSPACE=acme-corp terraform test
# (clients.auto.tfvars.json is loaded as for plan; the workspace selects the client.)

mock_provider "aws" {}
mock_provider "helm" {}

run "unapplied_platform_layer_is_named" {
  command = plan

  override_data {
    target = data.terraform_remote_state.platform[0]
    values = { outputs = {} }
  }
  override_data {
    target = data.terraform_remote_state.foundation[0]
    values = { outputs = { vpc_id = "vpc-0123456789abcdef0" } }
  }

  expect_failures = [data.terraform_remote_state.platform]
}

run "applied_upstream_plans_the_services" {
  command = plan

  override_data {
    target = data.terraform_remote_state.platform[0]
    values = {
      outputs = {
        cluster_name                       = "acme-corp-production-us-east-2"
        cluster_endpoint                   = "https://ABCDEF.gr7.us-east-2.eks.amazonaws.com"
        cluster_certificate_authority_data = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="
        oidc_provider_arn                  = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
        oidc_issuer_url                    = "https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
      }
    }
  }
  override_data {
    target = data.terraform_remote_state.foundation[0]
    values = { outputs = { vpc_id = "vpc-0123456789abcdef0" } }
  }

  assert {
    condition     = length(module.shared_services) == 1 && length(module.istio) == 1
    error_message = "An enabled client with an applied layer 02 gets the cluster services."
  }
}

# SES sender of alert e-mail: the rendered names reach modules/shared-services (whose own tests/ses.tftest.hcl
# checks the identity, the DKIM records and the IAM policy; a layer's test can read only module outputs).
run "alert_email_sender_gets_the_rendered_names" {
  command = plan

  override_data {
    target = data.terraform_remote_state.platform[0]
    values = {
      outputs = {
        cluster_name                       = "acme-corp-production-us-east-2"
        cluster_endpoint                   = "https://ABCDEF.gr7.us-east-2.eks.amazonaws.com"
        cluster_certificate_authority_data = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="
        oidc_provider_arn                  = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
        oidc_issuer_url                    = "https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
      }
    }
  }
  override_data {
    target = data.terraform_remote_state.foundation[0]
    values = { outputs = { vpc_id = "vpc-0123456789abcdef0" } }
  }

  assert {
    condition     = output.alertmanager_smtp.sender == var.clients["acme-corp"].names.email_senders["alertmanager"]
    error_message = "The alert sender is the rendered names.email_senders.alertmanager."
  }
  assert {
    condition     = output.alertmanager_smtp.secret_name == var.clients["acme-corp"].names.secrets["alertmanager-smtp"]
    error_message = "The SMTP credentials go into the rendered names.secrets[\"alertmanager-smtp\"]."
  }
}
