variable "clients" {
  type = map(object({
    enabled = bool
    tags    = map(string)
    eks = object({
      enabled = bool
    })
    names = object({
      prefix          = string
      cluster         = string
      dns_zone        = string
      kubectl_context = string
      iam_roles       = map(string)
      secrets         = map(string)
      email_senders   = map(string)
      observability_prefixes = object({
        logs    = string
        traces  = string
        metrics = string
      })
    })
    observability = object({
      prometheus_replicas       = number
      prometheus_storage_gi     = number
      prometheus_retention_days = number
      alertmanager_replicas     = number
      grafana_storage_gi        = number
      loki_retention_days       = number
    })
    alerting = object({
      emails        = list(string)
      slack_channel = string
    })
  }))
  description = "Rendered clients (clients.auto.tfvars.json); this layer reads only the attributes declared here, for the client named by the workspace."
}

variable "settings" {
  type = object({
    region = string
    layer  = string
    remote_state = map(object({
      bucket = string
      key    = string
      region = string
    }))
    observability_buckets = object({
      logs    = string
      traces  = string
      metrics = string
    })
    versions = object({
      kube_prometheus_stack = string
      loki                  = string
      tempo                 = string
      fluent_bit            = string
    })
  })
  description = "Rendered platform settings of this layer folder (clients.auto.tfvars.json)."
}
