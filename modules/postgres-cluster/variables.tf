variable "name_prefix" {
  type        = string
  description = "Rendered client prefix (names.prefix, e.g. acme-corp-production). Used only in descriptions."
}

variable "resource_prefix" {
  type        = string
  description = "Rendered `names.resource_prefixes.postgres`: base of the instance, volume and security-group rule Name tags and of the CloudWatch alarm names, which append a fixed suffix (-root, -cpu, -status-check, ...)."
}

variable "security_group_name" {
  type        = string
  description = "Rendered `names.security_groups.postgres`."
}

variable "kms_alias_name" {
  type        = string
  description = "Rendered `names.kms_aliases.postgres`: alias of the module's KMS key (its Name tag is the alias without `alias/`)."
}

variable "dlm_iam_role_name" {
  type        = string
  description = "Rendered `names.iam_roles.postgres_dlm`: role Data Lifecycle Manager assumes to snapshot the volumes."
}

variable "snapshot_target_tag" {
  type        = string
  description = "Rendered `names.snapshot_target_tags.postgres`: value of the SnapshotPolicy tag on the volumes, which the DLM policy selects by."
}

variable "iam_role_name" {
  type        = string
  description = "Name of the instances' IAM role and instance profile (rendered names.iam_roles.postgres)."
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch Logs group for PostgreSQL and cloud-init logs (rendered names.log_groups.postgres)."
}

variable "secret_names" {
  type = object({
    superuser   = string
    replication = string
  })
  description = "Secrets Manager names of the two generated passwords (rendered names.secrets[\"postgres-superuser\"] and [\"postgres-replication\"])."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the client (layer 01 output vpc_id)."
}

variable "vpc_cidr" {
  type        = string
  description = "Client VPC CIDR (rendered network.vpc_cidr): the only source allowed to reach the database ports."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "master_placement" {
  type = object({
    availability_zone = string
    subnet_id         = string
  })
  description = "Availability zone and private subnet of the master (the client's first AZ)."
}

variable "replica_placement" {
  type = object({
    availability_zone = string
    subnet_id         = string
  })
  description = "Availability zone and private subnet of the streaming replica (the client's second AZ). Required when replica_enabled."
  default     = null

  validation {
    condition     = !var.replica_enabled || try(var.replica_placement.availability_zone != null && var.replica_placement.subnet_id != null && var.replica_placement.availability_zone != var.master_placement.availability_zone, false)
    error_message = "replica_enabled is true: replica_placement must name a second availability zone (and its private subnet), different from the master's."
  }
}

variable "additional_security_group_ids" {
  type        = list(string)
  description = "Security groups attached to both instances in addition to the one this module creates (e.g. layer 01's database security group)."
  default     = []
}

variable "database_ports" {
  type        = list(number)
  description = "TCP ports opened from vpc_cidr (rendered security.database_ports)."

  validation {
    condition     = length(var.database_ports) > 0 && alltrue([for p in var.database_ports : p >= 1 && p <= 65535 && floor(p) == p])
    error_message = "database_ports must hold at least one TCP port (1-65535)."
  }
}

variable "port" {
  type        = number
  description = "Port PostgreSQL listens on (rendered database.port, the first of database_ports)."
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL major version installed from the PGDG apt repository (rendered database.engine_version, e.g. \"17\")."

  validation {
    condition     = can(regex("^[0-9]{2}$", var.engine_version))
    error_message = "engine_version must be a PostgreSQL major version such as \"17\"."
  }
}

variable "instance_type" {
  type        = string
  description = "Memory-optimised x86_64 instance type of both nodes (rendered database.instance_type, e.g. r6i.large)."

  validation {
    condition     = can(regex("^(r|x|z)[0-9]+[a-z-]*\\.[a-z0-9]+$", var.instance_type)) && !can(regex("^[a-z]+[0-9]+[a-z-]*g", var.instance_type))
    error_message = "instance_type must be a memory-optimised x86_64 type (r5/r6i/r7i/x2idn/z1d ...); Graviton types do not run the amd64 Debian AMI."
  }
}

variable "root_volume_size" {
  type        = number
  description = "Root volume size in GiB (not part of the rendered database block; the OS and packages only)."
  default     = 20
}

variable "data_volume_size" {
  type        = number
  description = "Data volume size in GiB (rendered database.data_volume_size)."
}

variable "wal_volume_size" {
  type        = number
  description = "WAL volume size in GiB (rendered database.wal_volume_size)."
}

variable "backup_volume_size" {
  type        = number
  description = "Backup volume size in GiB (rendered database.backup_volume_size): nightly base backups and archived WAL."
}

variable "backup_retention_days" {
  type        = number
  description = "Daily EBS snapshots kept by the DLM policy (rendered database.backup_retention_days)."

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 7 and 35."
  }
}

variable "replica_enabled" {
  type        = bool
  description = "Create the streaming replica (rendered database.replica_enabled)."
}

variable "snapshot_time" {
  type        = string
  description = "UTC time (HH:MM) of the daily DLM snapshot."
  default     = "03:00"
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the PostgreSQL log group in days (not rendered yet; one year by default)."
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
  default     = 80
}

variable "disk_alarm_threshold" {
  type        = number
  description = "Filesystem used_percent (CloudWatch agent) that raises a disk alarm."
  default     = 85
}

variable "replication_lag_alarm_seconds" {
  type        = number
  description = "Replica replay lag in seconds (CloudWatch agent StatsD metric) that raises the replication-lag alarm."
  default     = 300
}

variable "password_version" {
  type        = number
  description = "Version of the generated passwords (secret_string_wo_version). Increase it to generate and store new passwords, then run /usr/local/sbin/clientctl-pg-sync-passwords on both nodes (README)."
  default     = 1
}

variable "tags" {
  type        = map(string)
  description = "Tags of every resource (output tags of modules/tagging)."
  default     = {}
}
