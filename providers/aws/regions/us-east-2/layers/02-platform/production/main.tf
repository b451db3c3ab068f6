# Layer 02-platform: one client's EKS cluster. The Terraform workspace selects the client (design.md decision 5):
#   terraform workspace select -or-create acme-corp && terraform plan

locals {
  # A disabled client, or one with `eks.enabled: false`, has no cluster.
  create = local.client_known ? (local.client.enabled && local.client.eks.enabled) : false
}

module "eks" {
  source = "../../../../../../../modules/eks-platform"
  count  = local.create ? 1 : 0

  cluster_name       = local.client.names.cluster
  kubernetes_version = local.client.eks.version
  service_ipv4_cidr  = local.client.network.eks_service_cidr
  kms_alias          = local.client.names.kms_aliases.eks
  log_group_name     = local.client.names.log_groups["eks_cluster"]

  iam_role_names = {
    cluster        = local.client.names.iam_roles["cluster"]
    node           = local.client.names.iam_roles["node"]
    ebs_csi_driver = local.client.names.iam_roles["ebs-csi-driver"]
  }

  node_group = {
    name           = local.client.names.node_group
    instance_types = local.client.eks.instance_types
    min_size       = local.client.eks.min_size
    max_size       = local.client.eks.max_size
    desired_size   = local.client.eks.desired_size
    disk_size      = local.client.eks.disk_size
    capacity_type  = local.client.eks.capacity_type
  }

  # Nodes in the EKS subnets; control-plane ENIs in the private and EKS subnets.
  node_subnet_ids = values(data.terraform_remote_state.foundation[0].outputs.eks_subnet_ids)
  control_plane_subnet_ids = concat(
    values(data.terraform_remote_state.foundation[0].outputs.private_subnet_ids),
    values(data.terraform_remote_state.foundation[0].outputs.eks_subnet_ids),
  )
  cluster_security_group_ids = [data.terraform_remote_state.foundation[0].outputs.eks_security_group_id]

  public_access_cidrs          = var.settings.management_cidrs
  administrator_principal_arns = var.administrator_principal_arns
  tags                         = module.tags.tags
}
