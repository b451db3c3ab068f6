# `clients` and `settings` come from the generated clients.auto.tfvars.json (`clientctl render`; never edit it).
# The types declare only the attributes this layer reads; Terraform drops the rest of each rendered object.

variable "administrator_principal_arns" {
  type        = list(string)
  description = "IAM role/user ARNs granted cluster-admin on the client's cluster through EKS access entries (the identity running terraform is admin already and must not be listed)."
  default     = []
}

variable "clients" {
  type = map(object({
    enabled = bool
    eks = object({
      enabled        = bool
      version        = string
      instance_types = list(string)
      min_size       = number
      max_size       = number
      desired_size   = number
      disk_size      = number
      capacity_type  = string
    })
    names = object({
      prefix     = string
      cluster    = string
      node_group = string
      kms_aliases = object({
        eks = string
      })
      iam_roles  = map(string)
      log_groups = map(string)
    })
    network = object({
      eks_service_cidr = string
    })
    tags = map(string)
  }))
  description = "Every client of this region and environment, resolved by clientctl and keyed by client name (= Terraform workspace)."
}

variable "settings" {
  type = object({
    layer            = string
    region           = string
    management_cidrs = list(string)
    remote_state = map(object({
      bucket = string
      key    = string
      region = string
    }))
  })
  description = "Platform settings rendered by clientctl for this layer folder (remote_state holds the state location of every upstream layer)."
}
