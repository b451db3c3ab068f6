variable "name" {
  type        = string
  description = "Name tag of the key (by convention the rendered alias without `alias/`, or another rendered name)."
}

variable "description" {
  type        = string
  description = "Key description: what the key encrypts."
}

variable "alias_name" {
  type        = string
  description = "Rendered alias (`alias/...`, from clientctl's `names.kms_aliases`); null creates no alias."
  default     = null

  validation {
    condition     = var.alias_name == null || startswith(coalesce(var.alias_name, "alias/"), "alias/")
    error_message = "alias_name must start with \"alias/\"."
  }
}

variable "cloudwatch_logs_log_group_names" {
  type        = list(string)
  description = "Log groups (in this account and region) that CloudWatch Logs may encrypt with the key; the key policy restricts the logs service principal to their ARNs through kms:EncryptionContext:aws:logs:arn. Empty: no CloudWatch Logs statement."
  default     = []
}

variable "statement_ids" {
  type = object({
    account_administration = optional(string, "AccountAdministersKeyThroughIAM")
    cloudwatch_logs        = optional(string, "CloudWatchLogsEncryptsThisLogGroupOnly")
  })
  description = "Sid of the key policy statements. The defaults suit new keys; existing keys pass the Sids they were created with so their policy does not change."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags from modules/tagging (the caller's `module.tags.tags`); `Name` is added."
}
