# terraform test (mock providers, plan only) of layer 06 for one rendered client. Run in this folder:
#   terraform init -backend=false && TF_WORKSPACE=acme-corp terraform test

mock_provider "aws" {}
mock_provider "helm" {}
mock_provider "kubernetes" {}
mock_provider "random" {}

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
