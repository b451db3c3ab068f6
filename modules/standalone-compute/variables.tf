variable "name_prefix" {
  type        = string
  description = "Rendered client prefix (names.prefix, e.g. acme-corp-production). Used only in descriptions."
}

variable "resource_prefix" {
  type        = string
  description = "Rendered `names.resource_prefixes.analytics`: base of the instance, volume and security-group rule Name tags and of the CloudWatch alarm names, which append a fixed suffix (-root, -cpu, -status-check, ...)."
}

variable "security_group_name" {
  type        = string
  description = "Rendered `names.security_groups.analytics`."
}

variable "kms_alias_name" {
  type        = string
  description = "Rendered `names.kms_aliases.analytics`: alias of the module's KMS key (its Name tag is the alias without `alias/`)."
}

variable "iam_role_name" {
  type        = string
  description = "Name of the instance's IAM role and instance profile (rendered names.iam_roles.analytics)."
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch Logs group of the instance (rendered names.log_groups.analytics)."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the client (layer 01 output vpc_id)."
}

variable "vpc_cidr" {
  type        = string
  description = "Client VPC CIDR (rendered network.vpc_cidr): the only source allowed to reach the custom ports."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "placement" {
  type = object({
    availability_zone = string
    subnet_id         = string
  })
  description = "Availability zone and private subnet of the instance (the client's first AZ)."
}

variable "additional_security_group_ids" {
  type        = list(string)
  description = "Security groups attached in addition to the one this module creates (e.g. layer 01's compute security group)."
  default     = []
}

variable "custom_ports" {
  type        = list(number)
  description = "TCP ports opened from vpc_cidr (rendered security.custom_ports); may be empty."
  default     = []

  validation {
    condition     = alltrue([for p in var.custom_ports : p >= 1 && p <= 65535 && floor(p) == p])
    error_message = "custom_ports must be TCP ports (1-65535)."
  }
}

variable "instance_type" {
  type        = string
  description = "x86_64 instance type (rendered compute.instance_type); the Debian AMI is amd64."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type)) && !can(regex("^[a-z]+[0-9]+[a-z-]*g", var.instance_type))
    error_message = "instance_type must be an x86_64 instance type (Graviton types do not run the amd64 Debian AMI)."
  }
}

variable "root_volume_size" {
  type        = number
  description = "Root volume size in GiB (rendered compute.root_volume_size)."
}

variable "data_volume_size" {
  type        = number
  description = "Data volume size in GiB, mounted on /data (rendered compute.data_volume_size)."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the log group in days (not rendered yet; one year by default)."
  default     = 365
}

variable "alarm_sns_topic_arn" {
  type        = string
  description = "SNS topic notified by the CloudWatch alarms (alarm and OK); null = alarms without actions."
  default     = null
}

variable "cpu_alarm_threshold" {
  type        = number
  description = "CPUUtilization percentage (average over 3 x 5 minutes) that raises the CPU alarm."
  default     = 90
}

variable "tags" {
  type        = map(string)
  description = "Tags of every resource (output tags of modules/tagging)."
  default     = {}
}
