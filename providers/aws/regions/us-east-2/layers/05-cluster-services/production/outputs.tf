output "client" {
  description = "Client (workspace) this state belongs to."
  value       = terraform.workspace
}

output "cluster_name" {
  description = "EKS cluster the services were installed into (from 02-platform)."
  value       = local.cluster.name
}

output "kubectl_context" {
  description = "kubectl context alias of the client's cluster (rendered names.kubectl_context)."
  value       = try(local.client.names.kubectl_context, null)
}

output "dns_zone_id" {
  description = "ID of the client's public Route53 zone."
  value       = try(module.shared_services[0].zone_id, null)
}

output "dns_zone_name" {
  description = "Name of the client's public Route53 zone (names.dns_zone)."
  value       = try(module.shared_services[0].zone_name, null)
}

output "dns_name_servers" {
  description = "Name servers of the client zone, delegated from the parent zone."
  value       = try(module.shared_services[0].name_servers, null)
}

output "irsa_role_arns" {
  description = "IRSA role ARN per service account (cluster-autoscaler, aws-load-balancer-controller, external-dns); null when switched off."
  value       = try(module.shared_services[0].irsa_role_arns, {})
}

output "releases" {
  description = "Helm release name and namespace of every installed component (controllers and Istio)."
  value       = merge(try(module.shared_services[0].releases, {}), { for k, v in try(module.istio[0].releases, {}) : "istio-${k}" => v })
}

output "istio_ingress_namespace" {
  description = "Namespace of the Istio ingress gateway (null when Istio is off)."
  value       = try(module.istio[0].ingress_namespace, null)
}

output "alertmanager_smtp" {
  description = "SES SMTP sender of alert e-mail, read by layer 06: sender, smtp_username (access key id), secret_name/secret_arn of the credentials (never the password), credentials_version, identity_arn; null when the client has no cluster services."
  # Not try(): try() of a partly unknown value is wholly unknown, which would hide the known names in a plan.
  value = local.enabled ? module.shared_services[0].alert_email : null
}
