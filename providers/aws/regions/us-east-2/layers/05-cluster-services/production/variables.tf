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
      iam_users       = map(string)
      secrets         = map(string)
      email_senders   = map(string)
      kms_aliases     = map(string)
    })
  }))
  description = "Rendered clients (clients.auto.tfvars.json); this layer reads only the attributes declared here, for the client named by the workspace."
}

variable "settings" {
  type = object({
    region      = string
    layer       = string
    parent_zone = string
    remote_state = map(object({
      bucket = string
      key    = string
      region = string
    }))
    versions = object({
      cluster_autoscaler           = string
      cluster_autoscaler_image_tag = string
      aws_load_balancer_controller = string
      metrics_server               = string
      external_dns                 = string
      istio                        = string
    })
    cluster_services = object({
      enable_cluster_autoscaler                           = bool
      enable_aws_load_balancer_controller                 = bool
      enable_metrics_server                               = bool
      enable_external_dns                                 = bool
      enable_istio_service_mesh                           = bool
      cluster_autoscaler_scale_down_enabled               = bool
      cluster_autoscaler_scale_down_unneeded_time         = string
      cluster_autoscaler_scale_down_utilization_threshold = number
      istio_ingress_replicas                              = number
    })
  })
  description = "Rendered platform settings of this layer folder (clients.auto.tfvars.json)."
}
