provider "aws" {
  region = var.settings.region

  default_tags {
    tags = module.tags.tags
  }
}

# The cluster comes from layer 02's state. Tokens are fetched at run time with `aws eks get-token`
# (exec), so no token is stored in state or plan files.
provider "helm" {
  kubernetes = {
    host                   = local.cluster.endpoint
    cluster_ca_certificate = local.cluster.ca_certificate
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", local.exec_cluster_name, "--region", var.settings.region]
    }
  }
}
