variable "name" {
  type        = string
  description = "Rendered IAM role name (`names.iam_roles[...]`)."
}

variable "description" {
  type        = string
  description = "Role description."
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of the cluster's IAM OIDC provider (layer 02 output `oidc_provider_arn`)."
}

variable "oidc_issuer_url" {
  type        = string
  description = "OIDC issuer URL of the cluster (with or without `https://`)."
}

variable "namespace" {
  type        = string
  description = "Kubernetes namespace of the service account."
}

variable "service_account" {
  type        = string
  description = "Name of the only service account that may assume the role."
}

variable "managed_policy_arns" {
  type        = map(string)
  description = "Managed policies to attach: stable key => policy ARN (keys must be known at plan time)."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags from modules/tagging; `Name` is added."
}
