output "enabled" {
  description = "Whether the module emitted tags (false when the caller disabled it)."
  value       = var.enabled
}

output "name_prefix" {
  description = "The rendered `{client}-{environment}` prefix for names clientctl does not render itself (empty when disabled)."
  value       = local.name_prefix
}

output "tags" {
  description = "Client, ClientCode, CostCenter, Environment, Tier, Layer, ManagedBy, Compliance and Project: use for provider default_tags and merge into every resource's tags."
  value       = local.tags
}
