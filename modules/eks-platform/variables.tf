################################################################################
# Cluster (names rendered by clientctl)
################################################################################

variable "cluster_name" {
  type        = string
  description = "Rendered `names.cluster` (`{client}-{environment}-{region}`)."
}

variable "kubernetes_version" {
  type        = string
  description = "Rendered `eks.version`, e.g. `1.31`."
}

variable "service_ipv4_cidr" {
  type        = string
  description = "Rendered `network.eks_service_cidr`: Kubernetes service CIDR, set explicitly so it never collides with a VPN peer."

  validation {
    condition     = can(cidrnetmask(var.service_ipv4_cidr))
    error_message = "service_ipv4_cidr must be an IPv4 CIDR block such as 172.20.0.0/16."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags from modules/tagging (`module.tags.tags`), merged into every resource's tags."
}

################################################################################
# Networking (outputs of layer 01-foundation)
################################################################################

variable "cluster_security_group_ids" {
  type        = list(string)
  description = "Additional security groups for the control-plane ENIs (layer 01 `eks_security_group_id`). EKS also creates and manages its own cluster security group."
  default     = []
}

variable "control_plane_subnet_ids" {
  type        = list(string)
  description = "Subnets for the control-plane ENIs (layer 01 private + EKS subnets); at least two AZs."

  validation {
    condition     = length(var.control_plane_subnet_ids) >= 2
    error_message = "EKS needs control-plane subnets in at least two AZs."
  }
}

variable "node_subnet_ids" {
  type        = list(string)
  description = "Subnets of the managed node group (layer 01 EKS subnets)."

  validation {
    condition     = length(var.node_subnet_ids) >= 1
    error_message = "The node group needs at least one subnet."
  }
}

variable "public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public API endpoint (rendered `settings.management_cidrs`). The private endpoint is always on."

  validation {
    condition     = length(var.public_access_cidrs) > 0 && alltrue([for cidr in var.public_access_cidrs : can(cidrnetmask(cidr)) && cidr != "0.0.0.0/0"])
    error_message = "public_access_cidrs must list at least one IPv4 CIDR and never 0.0.0.0/0 (the public endpoint is for management networks only)."
  }
}

################################################################################
# Managed node group
################################################################################

variable "node_ami_type" {
  type        = string
  description = "AMI type of the managed node group; the rendered instance types are x86_64, so Amazon Linux 2023 x86_64."
  default     = "AL2023_x86_64_STANDARD"
}

variable "node_group" {
  type = object({
    name           = string
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size      = number
    capacity_type  = string
  })
  description = "Rendered `names.node_group` plus the rendered `eks` block (instance types, sizes, root disk GiB, ON_DEMAND or SPOT)."

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_group.capacity_type)
    error_message = "capacity_type must be ON_DEMAND or SPOT."
  }
  validation {
    condition     = var.node_group.min_size <= var.node_group.desired_size && var.node_group.desired_size <= var.node_group.max_size
    error_message = "The node group needs min_size <= desired_size <= max_size."
  }
}

################################################################################
# IAM, encryption and logging
################################################################################

variable "administrator_principal_arns" {
  type        = list(string)
  description = "IAM principal ARNs (roles or users) granted cluster-admin through EKS access entries. The identity that runs `terraform apply` is admin already (bootstrap) and must not be listed."
  default     = []
}

variable "iam_role_names" {
  type = object({
    cluster        = string
    node           = string
    ebs_csi_driver = string
  })
  description = "Rendered `names.iam_roles` of the cluster role, the node role and the EBS CSI driver's IRSA role (`names.iam_roles[\"ebs-csi-driver\"]`)."
}

variable "kms_alias" {
  type        = string
  description = "Rendered `names.kms_aliases.eks` of the key encrypting Kubernetes secrets and the control-plane log group."

  validation {
    condition     = startswith(var.kms_alias, "alias/")
    error_message = "kms_alias must start with alias/."
  }
}

variable "log_group_name" {
  type        = string
  description = "Rendered `names.log_groups.eks_cluster` (`/aws/eks/<cluster>/cluster`, the name EKS writes to)."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the control-plane log group in days. clientctl does not render a retention yet; 365 satisfies checkov CKV_AWS_338."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ..., 365, 400, ..., 3653)."
  }
}

################################################################################
# Add-ons
################################################################################

variable "addon_versions" {
  type        = map(string)
  description = "Optional pinned versions of the core add-ons (keys vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver); a missing key uses EKS's default version for the cluster version."
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.addon_versions) : contains(["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"], name)])
    error_message = "addon_versions keys must be vpc-cni, kube-proxy, coredns or aws-ebs-csi-driver."
  }
}

variable "default_storage_class_name" {
  type        = string
  description = "Name of the encrypted gp3 StorageClass this module marks as the cluster default (a Kubernetes object name, the same in every cluster)."
  default     = "gp3"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.default_storage_class_name)) && length(var.default_storage_class_name) <= 63
    error_message = "default_storage_class_name must be a DNS label (lower-case letters, digits and -, at most 63 characters)."
  }
}
