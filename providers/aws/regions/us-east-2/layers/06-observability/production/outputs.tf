output "client" {
  description = "Client (workspace) this state belongs to."
  value       = terraform.workspace
}

output "cluster_name" {
  description = "EKS cluster the stack was installed into (from 02-platform)."
  value       = local.cluster.name
}

output "kubectl_context" {
  description = "kubectl context alias of the client's cluster (rendered names.kubectl_context)."
  value       = try(local.client.names.kubectl_context, null)
}

output "namespace" {
  description = "Namespace of the observability stack."
  value       = try(module.observability[0].namespace, null)
}

output "irsa_role_arns" {
  description = "IRSA role ARN per component (prometheus, loki, tempo, fluent-bit)."
  value       = try(module.observability[0].irsa_role_arns, {})
}

output "storage_locations" {
  description = "s3://<shared bucket>/<client prefix> each component is limited to."
  value       = try(module.observability[0].storage_locations, {})
}

output "releases" {
  description = "Helm release name and namespace per chart."
  value       = try(module.observability[0].releases, {})
}

output "grafana_admin_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Grafana admin credentials (never the value)."
  value       = try(module.observability[0].grafana_admin_secret_arn, null)
}

output "slack_webhook_configured" {
  description = "Whether Alertmanager routes to Slack (the client has a channel and the webhook secret exists)."
  value       = try(module.observability[0].slack_webhook_configured, false)
}

output "alertmanager_email" {
  description = "Alertmanager's SMTP settings as rendered (smarthost, from, auth user name = layer 05's access key id, password file path) and its mounted secrets; never the password."
  value       = local.enabled ? module.observability[0].alertmanager_email : null
}
