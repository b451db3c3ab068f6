output "zone_id" {
  description = "ID of the client's public Route53 zone."
  value       = aws_route53_zone.client.zone_id
}

output "zone_arn" {
  description = "ARN of the client's public Route53 zone."
  value       = aws_route53_zone.client.arn
}

output "zone_name" {
  description = "Name of the client's public Route53 zone."
  value       = aws_route53_zone.client.name
}

output "name_servers" {
  description = "Name servers of the client zone (also written as the NS delegation record in the parent zone)."
  value       = aws_route53_zone.client.name_servers
}

output "irsa_role_arns" {
  description = "IRSA role ARN per service account (`cluster-autoscaler`, `aws-load-balancer-controller`, `external-dns`); null when the service is switched off."
  value = {
    for key in keys(local.service_accounts) : key => try(module.irsa_role[key].role_arn, null)
  }
}

output "releases" {
  description = "Helm release name and namespace per installed service (switched-off services are absent)."
  value = merge(
    { for r in helm_release.cluster_autoscaler : "cluster-autoscaler" => { name = r.name, namespace = r.namespace } },
    { for r in helm_release.aws_load_balancer_controller : "aws-load-balancer-controller" => { name = r.name, namespace = r.namespace } },
    { for r in helm_release.metrics_server : "metrics-server" => { name = r.name, namespace = r.namespace } },
    { for r in helm_release.external_dns : "external-dns" => { name = r.name, namespace = r.namespace } },
  )
}

output "aws_load_balancer_controller_ready" {
  description = "Whether the AWS Load Balancer Controller was installed (Services of class service.k8s.aws/nlb depend on it)."
  value       = length(helm_release.aws_load_balancer_controller) > 0
}

output "alert_email" {
  description = "SES sender of alert e-mail: `sender`, `smtp_username` (access key id, not secret), `secret_name`/`secret_arn` of the SMTP credentials (JSON username, password), `credentials_version` (bumped on rotation), `identity_arn`."
  value = {
    sender              = var.alert_email.sender
    smtp_username       = aws_iam_access_key.alertmanager_smtp.id
    secret_name         = aws_secretsmanager_secret.alertmanager_smtp.name
    secret_arn          = aws_secretsmanager_secret.alertmanager_smtp.arn
    credentials_version = var.alert_email.credentials_version
    identity_arn        = aws_sesv2_email_identity.alerts.arn
  }
}
