variable "clients" {
  type = map(object({
    name    = string
    enabled = bool
    tags    = map(string)
    names = object({
      prefix               = string
      iam_roles            = object({ postgres = string, postgres_dlm = string })
      log_groups           = object({ postgres = string })
      secrets              = map(string)
      resource_prefixes    = object({ postgres = string })
      security_groups      = object({ postgres = string })
      kms_aliases          = object({ postgres = string })
      snapshot_target_tags = object({ postgres = string })
    })
    network = object({
      vpc_cidr           = string
      availability_zones = list(string)
    })
    database = object({
      enabled               = bool
      engine_version        = string
      instance_type         = string
      port                  = number
      data_volume_size      = number
      wal_volume_size       = number
      backup_volume_size    = number
      backup_retention_days = number
      replica_enabled       = bool
    })
    security = object({
      database_ports = list(number)
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
  description = "Optional SNS topic for the database CloudWatch alarms; null = alarms without notification."
  default     = null
}

variable "password_version" {
  type        = number
  description = "Raise to generate new PostgreSQL passwords into Secrets Manager (write-only, never in state); then run clientctl-pg-sync-passwords on the nodes (README)."
  default     = 1
}
