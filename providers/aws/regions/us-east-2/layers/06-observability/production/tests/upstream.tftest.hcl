# terraform test (mock providers, plan only) of layer 06 for one rendered client. Run in this folder:
#   terraform init -backend=false && TF_WORKSPACE=acme-corp terraform test

# Terraform 1.15's mock providers do not support ephemeral resources, and this layer reads two
# (random_password, aws_secretsmanager_secret_version): aws and random are therefore not mocked here but
# served by the clientctl provider stand-ins (clientctl iac check sets CLIENTCTL_STANDIN_MOCK=1, so the
# aws stand-in configures without an endpoint; nothing is called).
mock_provider "helm" {}
mock_provider "kubernetes" {}

run "platform_without_default_storage_class_is_refused" {
  command = plan

  override_data {
    target = data.terraform_remote_state.platform[0]
    values = {
      outputs = {
        cluster_name     = "acme-corp-production-us-east-2"
        cluster_endpoint = "https://ABCDEF.gr7.us-east-2.eks.amazonaws.com"
        # a layer 02 state from before the StorageClass: no default_storage_class_name
      }
    }
  }

  override_data {
    target = data.terraform_remote_state.cluster_services[0]
    values = {
      outputs = {
        alertmanager_smtp = {
          sender              = "alertmanager@acme-corp.ezra.world"
          smtp_username       = "AKIAIOSFODNN7EXAMPLE"
          secret_name         = "ohio-01/production/acme-corp/alertmanager-smtp"
          credentials_version = 2
        }
      }
    }
  }

  expect_failures = [data.terraform_remote_state.platform]
}

run "unapplied_platform_layer_is_refused" {
  command = plan

  override_data {
    target = data.terraform_remote_state.platform[0]
    values = { outputs = {} }
  }

  override_data {
    target = data.terraform_remote_state.cluster_services[0]
    values = {
      outputs = {
        alertmanager_smtp = {
          sender              = "alertmanager@acme-corp.ezra.world"
          smtp_username       = "AKIAIOSFODNN7EXAMPLE"
          secret_name         = "ohio-01/production/acme-corp/alertmanager-smtp"
          credentials_version = 2
        }
      }
    }
  }

  expect_failures = [data.terraform_remote_state.platform]
}

run "unapplied_cluster_services_layer_is_refused" {
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
        default_storage_class_name         = "gp3"
      }
    }
  }
  override_data {
    target = data.terraform_remote_state.cluster_services[0]
    values = { outputs = {} }
  }

  expect_failures = [data.terraform_remote_state.cluster_services]
}

# Alertmanager authenticates to SES: user name = layer 05's access key id, password from the mounted secret.
# The IRSA role ARNs in the values are known only after apply, so the roles are overridden to render the values
# in a plan.
run "alertmanager_authenticates_to_ses" {
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
        default_storage_class_name         = "gp3"
      }
    }
  }
  override_data {
    target = data.terraform_remote_state.cluster_services[0]
    values = {
      outputs = {
        alertmanager_smtp = {
          sender              = "alertmanager@acme-corp.ezra.world"
          smtp_username       = "AKIAIOSFODNN7EXAMPLE"
          secret_name         = "ohio-01/production/acme-corp/alertmanager-smtp"
          credentials_version = 2
        }
      }
    }
  }
  override_module {
    target  = module.observability[0].module.storage_role
    outputs = { role_arn = "arn:aws:iam::123456789012:role/acme-corp-production-us-east-2-prometheus", role_name = "acme-corp-production-us-east-2-prometheus" }
  }

  assert {
    condition = output.alertmanager_email.global == {
      smtp_smarthost          = "email-smtp.us-east-2.amazonaws.com:587"
      smtp_from               = "alertmanager@acme-corp.ezra.world"
      smtp_auth_username      = "AKIAIOSFODNN7EXAMPLE"
      smtp_auth_password_file = "/etc/alertmanager/secrets/alertmanager-smtp/password"
      smtp_require_tls        = true
    }
    error_message = "Alertmanager sends through SES with layer 05's user name and the mounted password file."
  }
  assert {
    condition     = contains(output.alertmanager_email.secrets, "alertmanager-smtp")
    error_message = "The SMTP password secret is mounted into Alertmanager."
  }
}
