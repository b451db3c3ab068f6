variable "client_tags" {
  type        = map(string)
  description = "The rendered client `tags` map from clients.auto.tfvars.json (Client, ClientCode, CostCenter, Environment, Tier, ManagedBy, Compliance, Project and usually Layer). Ignored when `enabled` is false."

  validation {
    condition = alltrue([
      for key, value in var.client_tags :
      length(key) <= 128 && length(value) <= 256 && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", value))
    ])
    error_message = "Tag keys must be at most 128 and values at most 256 characters, using letters, digits, spaces and _ . : / = + - @ only (the set every AWS service accepts)."
  }
  validation {
    condition = !var.enabled || length(setsubtract(
      ["Client", "ClientCode", "CostCenter", "Environment", "Tier", "ManagedBy", "Compliance", "Project"],
      keys(var.client_tags),
    )) == 0
    error_message = "The rendered client tags must hold Client, ClientCode, CostCenter, Environment, Tier, ManagedBy, Compliance and Project; run `clientctl render` again."
  }
}

variable "enabled" {
  type        = bool
  description = "Set to false to emit empty tags (for example when the workspace is not a known client, so the root's workspace guard reports the real problem)."
  default     = true
}

variable "layer" {
  type        = string
  description = "Layer folder name, e.g. `01-foundation`; becomes the `Layer` tag. Must agree with a `Layer` already present in `client_tags`."

  validation {
    condition     = can(regex("^0[1-9]-[a-z0-9-]+$", var.layer))
    error_message = "layer must be a layer folder name such as 01-foundation."
  }
  validation {
    condition     = !var.enabled || lookup(var.client_tags, "Layer", var.layer) == var.layer
    error_message = "The rendered client tags carry a different Layer than this layer; run `clientctl render` again."
  }
}

variable "name_prefix" {
  type        = string
  description = "The rendered `names.prefix` of the client (`{client}-{environment}`), passed through so every resource name without a rendered name is built from one place."
  default     = ""
}
