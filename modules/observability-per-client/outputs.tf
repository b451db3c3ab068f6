output "namespace" {
  description = "Namespace of the observability stack."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "irsa_role_arns" {
  description = "IRSA role ARN per component (prometheus, loki, tempo, fluent-bit)."
  value       = { for k, r in module.storage_role : k => r.role_arn }
}

output "storage_locations" {
  description = "S3 location each component may use: s3://<shared bucket>/<client prefix>."
  value       = { for k, s in local.storage : k => "s3://${s.bucket}/${s.prefix}" }
}

output "releases" {
  description = "Helm release name and namespace per chart."
  value = {
    for k, r in {
      kube-prometheus-stack = helm_release.kube_prometheus_stack
      loki                  = helm_release.loki
      tempo                 = helm_release.tempo
      fluent-bit            = helm_release.fluent_bit
    } : k => { name = r.name, namespace = r.namespace }
  }
}

output "grafana_admin_secret_arn" {
  description = "ARN of the Secrets Manager secret with the Grafana admin credentials (the value itself is never output)."
  value       = aws_secretsmanager_secret.grafana_admin.arn
}

output "grafana_service" {
  description = "Grafana Service name in the namespace (kubectl port-forward svc/grafana 3000:80)."
  value       = "grafana"
}

output "slack_webhook_configured" {
  description = "Whether Alertmanager got a Slack receiver (channel set and webhook secret present)."
  value       = local.slack_enabled
}

output "alertmanager_email" {
  description = "Alertmanager's e-mail settings as rendered into the chart values: the global smtp_* keys (the password only as a file path) and the secrets mounted into Alertmanager."
  value = {
    global  = { for k, v in yamldecode(helm_release.kube_prometheus_stack.values[0]).alertmanager.config.global : k => v if startswith(k, "smtp_") }
    secrets = yamldecode(helm_release.kube_prometheus_stack.values[0]).alertmanager.alertmanagerSpec.secrets
  }
}
