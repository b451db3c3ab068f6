# terraform test (plan only) of layer 05-cluster-services: a client with `enabled: false` in the registry plans no resource
# here. The rendered clients come from clients.auto.tfvars.json, with the workspace client (acme-corp, as
# clientctl iac check runs layer roots in the workspace of their first rendered client) switched off. Run by
# hand in a copy of this folder: terraform init -backend=false && TF_WORKSPACE=acme-corp terraform test
#
# The assertions name every block of this root that can read or create something (module calls and data
# sources, all counted on the client being enabled); terraform_data.workspace_guard, which creates no
# infrastructure, is the only resource of a known client that stays.
mock_provider "aws" {}
mock_provider "helm" {}

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

override_data {
  target = data.terraform_remote_state.foundation[0]
  values = {
    outputs = {
      vpc_id                     = "vpc-0123456789abcdef0"
      private_subnet_ids         = { "us-east-2a" = "subnet-0aaaaaaaaaaaaaaaa", "us-east-2b" = "subnet-0bbbbbbbbbbbbbbbb" }
      eks_subnet_ids             = { "us-east-2a" = "subnet-0cccccccccccccccc", "us-east-2b" = "subnet-0dddddddddddddddd" }
      eks_security_group_id      = "sg-0aaaaaaaaaaaaaaaa"
      database_security_group_id = "sg-0bbbbbbbbbbbbbbbb"
      compute_security_group_id  = "sg-0cccccccccccccccc"
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
    condition     = length(module.shared_services) == 0 && length(module.istio) == 0 && length(data.terraform_remote_state.platform) == 0 && length(data.terraform_remote_state.foundation) == 0
    error_message = "A disabled client (enabled = false) gets no cluster services (module.shared_services, module.istio), and no upstream state is read."
  }
}
