variable "name" {
  type        = string
  description = "Name tag of the instance, passed in from the rendered names (e.g. names.resource_prefixes.analytics, or a rendered prefix with a fixed role suffix such as -master). The root volume and the alarms append a fixed suffix (-root, -cpu, -status-check)."
}

variable "description_subject" {
  type        = string
  description = "What the instance is, for alarm descriptions (e.g. \"PostgreSQL master of acme-corp-production\")."
}

variable "instance_type" {
  type        = string
  description = "x86_64 instance type; the Debian AMI is amd64."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type)) && !can(regex("^[a-z]+[0-9]+[a-z-]*g", var.instance_type))
    error_message = "instance_type must be an x86_64 instance type (Graviton types do not run the amd64 Debian AMI)."
  }
}

variable "subnet_id" {
  type        = string
  description = "Private subnet of the instance (no public IP is ever associated)."
}

variable "security_group_name" {
  type        = string
  description = "Rendered names.security_groups.* name of the security group this module creates (egress 80/443 only; the caller adds its rules to the output security_group_id); null = create none (pass the groups in additional_security_group_ids)."
  default     = null
}

variable "security_group_description" {
  type        = string
  description = "Description of the security group created when security_group_name is set."
  default     = null
}

variable "security_group_rule_name_prefix" {
  type        = string
  description = "Rendered prefix (names.resource_prefixes.*) of the egress rules' Name tags, which append -out-<port>; used when security_group_name is set."
  default     = null
}

variable "vpc_id" {
  type        = string
  description = "VPC of the security group created when security_group_name is set."
  default     = null
}

variable "additional_security_group_ids" {
  type        = list(string)
  description = "Security groups attached after the one created here (or alone when none is created)."
  default     = []
}

variable "root_volume_size" {
  type        = number
  description = "Root volume size in GiB (gp3, encrypted with kms_key_arn)."
}

variable "kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key encrypting the root volume."
}

variable "user_data_base64" {
  type        = string
  description = "Base64 (usually gzip) cloud-init user data; ignored after creation (cloud-init runs once). Must not contain secrets."
}

variable "iam_role_name" {
  type        = string
  description = "Rendered names.iam_roles.* name of the IAM role and instance profile this module creates (SSM + CloudWatch agent policies); null = use iam_instance_profile."
  default     = null

  validation {
    condition     = (var.iam_role_name == null) != (var.iam_instance_profile == null)
    error_message = "Set exactly one of iam_role_name (create a role and profile) and iam_instance_profile (use an existing profile)."
  }
}

variable "iam_role_description" {
  type        = string
  description = "Description of the IAM role created when iam_role_name is set."
  default     = null
}

variable "iam_instance_profile" {
  type        = string
  description = "Existing instance profile (e.g. instance_profile_name of another call sharing the role); null = create one (iam_role_name)."
  default     = null
}

variable "instance_tags" {
  type        = map(string)
  description = "Extra tags of the instance only (e.g. { PostgresRole = \"master\" })."
  default     = {}
}

variable "create_after" {
  type        = list(string)
  description = "Ids of resources the instance must be created after (ordering only, e.g. secret versions and role policies its bootstrap reads); not sent to AWS."
  default     = []
}

variable "alarm_actions" {
  type        = list(string)
  description = "SNS topic ARNs notified by the alarms (alarm and OK); empty = alarms without actions."
  default     = []
}

variable "cpu_alarm_threshold" {
  type        = number
  description = "CPUUtilization percentage (average over 3 x 5 minutes) that raises the CPU alarm."
}

variable "tags" {
  type        = map(string)
  description = "Tags of every resource (output tags of modules/tagging)."
}
