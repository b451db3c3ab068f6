provider "aws" {
  region = var.settings.region

  default_tags {
    tags = module.tags.tags
  }
}

# The default StorageClass (modules/eks-platform) is created in the cluster this layer builds. The values are
# unknown until the cluster exists; the provider connects only when it reads or changes the class, after the
# cluster and its add-ons (depends_on in the module). null for a disabled client, which has no Kubernetes
# resource, so the provider is never used. Tokens come from `aws eks get-token` at run time, never stored.
provider "kubernetes" {
  host                   = try(module.eks[0].cluster_endpoint, null)
  cluster_ca_certificate = try(base64decode(module.eks[0].cluster_certificate_authority_data), null)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", try(local.client.names.cluster, ""), "--region", var.settings.region]
  }
}
