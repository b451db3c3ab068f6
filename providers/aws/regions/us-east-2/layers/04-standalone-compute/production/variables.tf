variable "clients" {
  type = map(object({
    name    = string
    enabled = bool
    tags    = map(string)
    names = object({
      prefix            = string
      iam_roles         = object({ analytics = string })
      log_groups        = object({ analytics = string })
      resource_prefixes = object({ analytics = string })
      security_groups   = object({ analytics = string })
      kms_aliases       = object({ analytics = string })
    })
    network = object({
      vpc_cidr           = string
      availability_zones = list(string)
    })
    compute = object({
      analytics_enabled = bool
      instance_type     = string
      root_volume_size  = number
      data_volume_size  = number
    })
    security = object({
      custom_ports = list(number)
    })
  }))
  description = "Resolved clients rendered by clientctl (clients.auto.tfvars.json); only the attributes this layer reads are declared. The workspace selects one."
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
  })
  description = "Platform settings rendered by clientctl for this layer folder (region, layer name, upstream state locations)."
}

variable "alarm_sns_topic_arn" {
  type        = string
  description = "Optional SNS topic for the analytics CloudWatch alarms; null = alarms without notification."
  default     = null
}
