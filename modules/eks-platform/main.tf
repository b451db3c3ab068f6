# One client's EKS cluster (layer 02-platform): control plane, one managed node group, IRSA, core add-ons.
# Names come rendered from clientctl; subnets and the extra security group come from layer 01-foundation.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition

  # All five control-plane log types (checkov CKV_AWS_37).
  cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  oidc_issuer_url  = aws_eks_cluster.this.identity[0].oidc[0].issuer
  oidc_issuer_host = replace(local.oidc_issuer_url, "https://", "")
}

################################################################################
# KMS key: Kubernetes secrets envelope encryption and the control-plane log group
################################################################################

module "kms" {
  source = "../kms-key"

  name                            = trimprefix(var.kms_alias, "alias/")
  alias_name                      = var.kms_alias
  description                     = "EKS ${var.cluster_name}: Kubernetes secrets and control-plane logs"
  cloudwatch_logs_log_group_names = [var.log_group_name]
  # The Sids this key was created with, so its policy stays byte for byte the same.
  statement_ids = {
    account_administration = "AccountAdministration"
    cloudwatch_logs        = "CloudWatchLogsControlPlaneLogGroup"
  }
  tags = var.tags
}

################################################################################
# Control-plane logs (EKS writes to /aws/eks/<cluster>/cluster; created first so retention and KMS apply)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = module.kms.key_arn

  tags = merge(var.tags, { Name = var.log_group_name })
}

################################################################################
# Cluster IAM role
################################################################################

data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = var.iam_role_names.cluster
  description        = "EKS control plane of ${var.cluster_name}"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json

  tags = merge(var.tags, { Name = var.iam_role_names.cluster })
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = {
    AmazonEKSClusterPolicy = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
  }

  role       = aws_iam_role.cluster.name
  policy_arn = each.value
}

data "aws_iam_policy_document" "cluster_kms" {
  statement {
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
    resources = [module.kms.key_arn]
  }
}

resource "aws_iam_role_policy" "cluster_kms" {
  name   = "secrets-encryption"
  role   = aws_iam_role.cluster.id
  policy = data.aws_iam_policy_document.cluster_kms.json
}

################################################################################
# Cluster
################################################################################

resource "aws_eks_cluster" "this" {
  #checkov:skip=CKV_AWS_38:public_access_cidrs is var.public_access_cidrs (settings.management_cidrs), whose validation rejects 0.0.0.0/0; checkov cannot evaluate a variable without a default.
  #checkov:skip=CKV_AWS_39:The public endpoint is required for management access from outside the VPC; it is limited to settings.management_cidrs (variable validation rejects 0.0.0.0/0) and the private endpoint is on for in-VPC traffic.
  name                      = var.cluster_name
  role_arn                  = aws_iam_role.cluster.arn
  version                   = var.kubernetes_version
  enabled_cluster_log_types = local.cluster_log_types

  access_config {
    authentication_mode = "API"
    # The identity running `terraform apply` stays cluster-admin (layers 05/06 use it for helm/kubernetes).
    bootstrap_cluster_creator_admin_permissions = true
  }

  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = module.kms.key_arn
    }
  }

  kubernetes_network_config {
    service_ipv4_cidr = var.service_ipv4_cidr
  }

  vpc_config {
    subnet_ids              = var.control_plane_subnet_ids
    security_group_ids      = var.cluster_security_group_ids
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = var.public_access_cidrs
  }

  tags = merge(var.tags, { Name = var.cluster_name })

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_kms,
  ]
}

################################################################################
# IRSA: OIDC provider
################################################################################

# No thumbprint_list: IAM trusts the EKS OIDC issuer through its own library of root CAs and ignores thumbprints
# for it, and since aws provider 5.x the argument is optional (IAM fills in the thumbprint itself). This also keeps
# the layer free of the tls provider and of a TLS handshake at plan time.
resource "aws_iam_openid_connect_provider" "this" {
  url            = local.oidc_issuer_url
  client_id_list = ["sts.amazonaws.com"]

  tags = merge(var.tags, { Name = var.cluster_name })
}

################################################################################
# Managed node group
################################################################################

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = var.iam_role_names.node
  description        = "Nodes of EKS cluster ${var.cluster_name}"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = merge(var.tags, { Name = var.iam_role_names.node })
}

# The VPC CNI uses the node role (clientctl renders no IRSA role name for vpc-cni yet); SSM replaces SSH access.
resource "aws_iam_role_policy_attachment" "node" {
  for_each = {
    AmazonEKSWorkerNodePolicy          = "arn:${local.partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy"
    AmazonEKS_CNI_Policy               = "arn:${local.partition}:iam::aws:policy/AmazonEKS_CNI_Policy"
    AmazonEC2ContainerRegistryPullOnly = "arn:${local.partition}:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
    AmazonSSMManagedInstanceCore       = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }

  role       = aws_iam_role.node.name
  policy_arn = each.value
}

# Launch template: encrypted gp3 root volume of the rendered disk size and IMDSv2 only. No security groups here,
# so EKS attaches its cluster security group to the nodes.
resource "aws_launch_template" "node" {
  name                   = var.node_group.name
  description            = "Nodes of EKS cluster ${var.cluster_name}"
  update_default_version = true

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.node_group.disk_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  # IMDSv2 only, hop limit 1: pods cannot reach the node role's credentials (they use IRSA instead).
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.node_group.name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = var.node_group.name })
  }

  tag_specifications {
    resource_type = "network-interface"
    tags          = merge(var.tags, { Name = var.node_group.name })
  }

  tags = merge(var.tags, { Name = var.node_group.name })
}

resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = var.node_group.name
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.node_subnet_ids
  version         = aws_eks_cluster.this.version
  ami_type        = var.node_ami_type
  capacity_type   = var.node_group.capacity_type
  instance_types  = var.node_group.instance_types

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  scaling_config {
    min_size     = var.node_group.min_size
    max_size     = var.node_group.max_size
    desired_size = var.node_group.desired_size
  }

  update_config {
    max_unavailable = 1
  }

  tags = merge(var.tags, { Name = var.node_group.name })

  lifecycle {
    # The cluster autoscaler (layer 05) owns the desired size once the group exists.
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_eks_addon.before_compute,
  ]
}

################################################################################
# Access entries for administrators
################################################################################

resource "aws_eks_access_entry" "admin" {
  for_each = toset(var.administrator_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"

  tags = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = toset(var.administrator_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admin[each.key].principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

################################################################################
# Core add-ons
################################################################################

# EBS CSI driver controller: IRSA role bound to its service account.
data "aws_iam_policy_document" "ebs_csi_driver_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer_host}:sub"
      values   = ["system:serviceaccount:kube-system:ebs-csi-controller-sa"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ebs_csi_driver" {
  name               = var.iam_role_names.ebs_csi_driver
  description        = "EBS CSI driver controller of ${var.cluster_name} (IRSA)"
  assume_role_policy = data.aws_iam_policy_document.ebs_csi_driver_assume.json

  tags = merge(var.tags, { Name = var.iam_role_names.ebs_csi_driver })
}

resource "aws_iam_role_policy_attachment" "ebs_csi_driver" {
  role       = aws_iam_role.ebs_csi_driver.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}

# Networking add-ons must exist before nodes join (a node without the CNI never becomes Ready).
resource "aws_eks_addon" "before_compute" {
  for_each = toset(["vpc-cni", "kube-proxy"])

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = lookup(var.addon_versions, each.key, null)
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = var.tags
}

# These run as pods, so they need nodes.
resource "aws_eks_addon" "this" {
  for_each = toset(["coredns", "aws-ebs-csi-driver"])

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = lookup(var.addon_versions, each.key, null)
  service_account_role_arn    = each.key == "aws-ebs-csi-driver" ? aws_iam_role.ebs_csi_driver.arn : null
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = var.tags

  depends_on = [
    aws_eks_node_group.this,
    aws_iam_role_policy_attachment.ebs_csi_driver,
  ]
}

################################################################################
# Default StorageClass: encrypted gp3 through the EBS CSI driver
################################################################################

# Since EKS 1.30 no StorageClass is marked default, and the in-tree gp2 class has no provisioner behind it on
# clusters without the in-tree driver, so a PVC without storageClassName (Prometheus, Alertmanager, Grafana,
# Loki and Tempo in layer 06 create such PVCs) stays Pending forever. This layer owns the aws-ebs-csi-driver
# add-on and its IRSA role (AmazonEBSCSIDriverPolicy: CreateVolume with encryption under the account's default
# EBS key aws/ebs needs nothing more), so it owns the class too; layer 06 refuses to plan until layer 02's
# state shows the class (output default_storage_class_name). A customer-managed key (parameter kmsKeyId) would
# need kms:CreateGrant/GenerateDataKey* for the CSI role in that key's policy: not done, aws/ebs is used.
resource "kubernetes_storage_class_v1" "default" {
  metadata {
    name = var.default_storage_class_name
    annotations = {
      "storageclass.kubernetes.io/is-default-class" = "true"
    }
  }

  storage_provisioner    = "ebs.csi.aws.com"
  reclaim_policy         = "Delete"
  volume_binding_mode    = "WaitForFirstConsumer"
  allow_volume_expansion = true

  parameters = {
    type      = "gp3"
    encrypted = "true"
    fsType    = "ext4"
  }

  # The provisioner must exist (add-on with its IRSA role) before a PVC can bind to the class; on destroy the
  # class goes first, while the cluster still answers.
  depends_on = [aws_eks_addon.this]
}
