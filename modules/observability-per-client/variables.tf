variable "cluster_name" {
  type        = string
  description = "Name of the client's EKS cluster (layer 02 output `cluster_name`)."
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of the cluster's IAM OIDC provider (layer 02 output `oidc_provider_arn`)."
}

variable "oidc_issuer_url" {
  type        = string
  description = "Issuer URL of the cluster's OIDC provider, with or without `https://` (layer 02 output `oidc_issuer_url`)."
}

variable "region" {
  type        = string
  description = "AWS region of the cluster and the observability buckets (rendered `settings.region`)."
}

variable "namespace" {
  type        = string
  description = "Namespace of the whole stack (the runbook port-forwards svc/grafana in `observability`)."
  default     = "observability"
}

variable "chart_versions" {
  type = object({
    kube_prometheus_stack = string
    loki                  = string
    tempo                 = string
    fluent_bit            = string
  })
  description = "Helm chart versions (rendered `settings.versions`)."
}

variable "observability" {
  type = object({
    prometheus_replicas       = number
    prometheus_storage_gi     = number
    prometheus_retention_days = number
    alertmanager_replicas     = number
    grafana_storage_gi        = number
    loki_retention_days       = number
  })
  description = "Tier-sized settings of the client (rendered `observability` block); never hard-coded per tier here."
}

variable "buckets" {
  type = object({
    logs    = string
    traces  = string
    metrics = string
  })
  description = "Shared observability buckets of the platform (rendered `settings.observability_buckets`)."
}

variable "prefixes" {
  type = object({
    logs    = string
    traces  = string
    metrics = string
  })
  description = "The client's own object prefixes in those buckets, `{type}/client={client}/` (rendered `names.observability_prefixes`). IAM allows these prefixes and nothing else."

  validation {
    condition     = alltrue([for p in values(var.prefixes) : endswith(p, "/") && !strcontains(p, "*")])
    error_message = "Each prefix must end with \"/\" and contain no wildcard, or one client's policy could match another client's objects."
  }
}

variable "iam_role_names" {
  type = object({
    prometheus = string
    loki       = string
    tempo      = string
    fluent_bit = string
  })
  description = "IRSA role names (rendered `names.iam_roles.prometheus`, `.loki`, `.tempo`, `[\"fluent-bit\"]`)."
}

variable "grafana_admin_secret_name" {
  type        = string
  description = "Secrets Manager name of the Grafana admin credentials (rendered `names.secrets[\"grafana-admin\"]`)."
}

variable "grafana_admin_password_version" {
  type        = number
  description = "Bump to generate and roll out a new Grafana admin password (write-only version of the secret and the Kubernetes secret)."
  default     = 1
}

variable "alerting" {
  type = object({
    emails        = list(string)
    slack_channel = string
  })
  description = "Alert destinations of the client (rendered `alerting`); slack_channel may be null."
}

variable "slack_webhook_secret_name" {
  type        = string
  description = "Secrets Manager name holding the Slack incoming-webhook URL as a plain string. When the secret does not exist, Alertmanager routes to e-mail only."
}

variable "slack_webhook_revision" {
  type        = number
  description = "Bump after rotating the Slack webhook secret so the Kubernetes copy is rewritten (write-only revision)."
  default     = 1
}

variable "smtp_smarthost" {
  type        = string
  description = "SMTP relay host:port Alertmanager sends e-mail through."
}

variable "smtp_from" {
  type        = string
  description = "Sender address of alert e-mails (rendered `names.email_senders.alertmanager`, an address of the SES-verified client zone)."
}

variable "smtp_auth" {
  type = object({
    username            = string
    secret_name         = string
    credentials_version = number
  })
  description = "SES SMTP credentials (layer 05 output `alertmanager_smtp`): `username` = the IAM access key id (not secret, goes into the Alertmanager config), `secret_name` = Secrets Manager secret with JSON `{username, password}` (the password is copied write-only into a Kubernetes secret), `credentials_version` = its write-only version (bumped on rotation)."
}

variable "loki_storage_gi" {
  type        = number
  description = "Size of Loki's persistent volume in GiB (not in the rendered tier presets)."
  default     = 50
}

variable "tempo_retention_days" {
  type        = number
  description = "Days Tempo keeps traces; matches the traces bucket's 30-day expiry (platform.yaml observability_storage, not rendered into settings)."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags of every AWS resource (output `tags` of modules/tagging)."
}
