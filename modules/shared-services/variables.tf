variable "cluster_name" {
  type        = string
  description = "Name of the client's EKS cluster (layer 02 output `cluster_name`); also the ExternalDNS TXT owner id and the cluster-autoscaler auto-discovery key."
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of the cluster's IAM OIDC provider (layer 02 output `oidc_provider_arn`); the IRSA roles trust it."
}

variable "oidc_issuer_url" {
  type        = string
  description = "Issuer URL of the cluster's OIDC provider, with or without `https://` (layer 02 output `oidc_issuer_url`)."
}

variable "region" {
  type        = string
  description = "AWS region of the cluster (rendered `settings.region`)."
}

variable "vpc_id" {
  type        = string
  description = "ID of the client's VPC (layer 01 output `vpc_id`); the AWS Load Balancer Controller needs it because IMDS is hop-limited on the nodes."
}

variable "dns_zone_name" {
  type        = string
  description = "The client's public Route53 zone, e.g. `acme-corp.ezra.world` (rendered `names.dns_zone`)."
}

variable "parent_zone_name" {
  type        = string
  description = "The platform's parent public zone that delegates to the client zone, e.g. `ezra.world` (rendered `settings.parent_zone`). It must already exist in this account."
}

variable "delegation_ttl" {
  type        = number
  description = "TTL in seconds of the NS delegation record in the parent zone."
  default     = 3600
}

variable "iam_role_names" {
  type = object({
    cluster_autoscaler           = string
    aws_load_balancer_controller = string
    external_dns                 = string
  })
  description = "IRSA role names (rendered `names.iam_roles[\"cluster-autoscaler\"]`, `[\"aws-load-balancer-controller\"]`, `[\"external-dns\"]`)."
}

variable "chart_versions" {
  type = object({
    cluster_autoscaler           = string
    cluster_autoscaler_image_tag = string
    aws_load_balancer_controller = string
    metrics_server               = string
    external_dns                 = string
  })
  description = "Helm chart versions and the cluster-autoscaler image tag (rendered `settings.versions`, resolved by clientctl from `versions.version_matrix` for the cluster's Kubernetes minor)."

  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+$", var.chart_versions.cluster_autoscaler_image_tag))
    error_message = "cluster_autoscaler_image_tag must be an image tag such as v1.35.0 (its minor must equal the cluster's Kubernetes minor)."
  }
}

variable "cluster_services" {
  type = object({
    enable_cluster_autoscaler                           = bool
    enable_aws_load_balancer_controller                 = bool
    enable_metrics_server                               = bool
    enable_external_dns                                 = bool
    cluster_autoscaler_scale_down_enabled               = bool
    cluster_autoscaler_scale_down_unneeded_time         = string
    cluster_autoscaler_scale_down_utilization_threshold = number
  })
  description = "On/off switches and autoscaler scale-down settings (rendered `settings.cluster_services`)."
}

variable "namespace" {
  type        = string
  description = "Namespace of the controllers (the runbook verifies them in kube-system)."
  default     = "kube-system"
}

variable "tags" {
  type        = map(string)
  description = "Tags of every AWS resource (output `tags` of modules/tagging)."
}

variable "alert_email" {
  type = object({
    sender              = string
    iam_user_name       = string
    secret_name         = string
    kms_alias_name      = string
    credentials_version = optional(number, 1)
  })
  description = "SES sender of the client's alert e-mail (ses.tf): `sender` = rendered `names.email_senders.alertmanager` (must be in `dns_zone_name`), `iam_user_name` = `names.iam_users[\"alertmanager-smtp\"]`, `secret_name` = `names.secrets[\"alertmanager-smtp\"]`, `kms_alias_name` = `names.kms_aliases.alertmanager_smtp`; bump `credentials_version` to rotate the SMTP key."

  validation {
    condition     = endswith(var.alert_email.sender, "@${var.dns_zone_name}")
    error_message = "alert_email.sender must be an address in the client zone (dns_zone_name), the only identity SES verifies for this client."
  }
}
