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

  expect_failures = [data.terraform_remote_state.platform]
}

run "unapplied_platform_layer_is_refused" {
  command = plan

  override_data {
    target = data.terraform_remote_state.platform[0]
    values = { outputs = {} }
  }

  expect_failures = [data.terraform_remote_state.platform]
}
