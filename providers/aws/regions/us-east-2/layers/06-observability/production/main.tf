# Layer 06 (observability) for ONE client: the Terraform workspace is the client name
# (design decision 5). Reads the cluster from 02-platform.

locals {
  # Nothing is read or planned for an unknown workspace, a disabled client (`enabled: false`) or a client
  # without a cluster (`eks.enabled: false`, so layer 02 has none), so the workspace guard (layer.tf) is the only
  # error an operator sees in the wrong workspace and a disabled client plans zero resources.
  enabled = local.client_known ? (local.client.enabled && local.client.eks.enabled) : false

  platform         = local.enabled ? data.terraform_remote_state.platform[0].outputs : null
  cluster_services = local.enabled ? data.terraform_remote_state.cluster_services[0].outputs : null

  cluster = {
    name           = try(local.platform.cluster_name, null)
    endpoint       = try(local.platform.cluster_endpoint, null)
    ca_certificate = try(base64decode(local.platform.cluster_certificate_authority_data), null)
  }

  # The helm/kubernetes providers are configured even when no resource uses them (disabled client): host and
  # CA stay null (the providers then have no cluster and are never asked to reach one), and the token command
  # gets a placeholder instead of a null list element, which Terraform rejects in provider configuration.
  exec_cluster_name = coalesce(local.cluster.name, "no-cluster")

  # Secrets Manager name of the Slack webhook (rendered by clientctl's naming module); the secret itself is
  # created by the platform team, never by Terraform, so the URL never reaches tfvars or state.
  slack_webhook_secret_name = try(local.client.names.secrets["alertmanager-slack-webhook"], null)
}

module "observability" {
  source = "../../../../../../../modules/observability-per-client"
  count  = local.enabled ? 1 : 0

  cluster_name      = local.platform.cluster_name
  oidc_provider_arn = local.platform.oidc_provider_arn
  oidc_issuer_url   = local.platform.oidc_issuer_url
  region            = var.settings.region

  chart_versions = {
    kube_prometheus_stack = var.settings.versions.kube_prometheus_stack
    loki                  = var.settings.versions.loki
    tempo                 = var.settings.versions.tempo
    fluent_bit            = var.settings.versions.fluent_bit
  }

  observability = local.client.observability

  buckets = {
    logs    = var.settings.observability_buckets.logs
    traces  = var.settings.observability_buckets.traces
    metrics = var.settings.observability_buckets.metrics
  }

  prefixes = {
    logs    = local.client.names.observability_prefixes.logs
    traces  = local.client.names.observability_prefixes.traces
    metrics = local.client.names.observability_prefixes.metrics
  }

  iam_role_names = {
    prometheus = local.client.names.iam_roles["prometheus"]
    loki       = local.client.names.iam_roles["loki"]
    tempo      = local.client.names.iam_roles["tempo"]
    fluent_bit = local.client.names.iam_roles["fluent-bit"]
  }

  grafana_admin_secret_name = local.client.names.secrets["grafana-admin"]

  alerting                  = local.client.alerting
  slack_webhook_secret_name = local.slack_webhook_secret_name

  # SES SMTP interface of the region (STARTTLS on 587), the rendered sender (verified in layer 05 as part of the
  # client zone's domain identity) and layer 05's SMTP credentials (user name = access key id, not secret).
  smtp_smarthost = "email-smtp.${var.settings.region}.amazonaws.com:587"
  smtp_from      = local.client.names.email_senders["alertmanager"]
  smtp_auth = {
    username            = local.cluster_services.alertmanager_smtp.smtp_username
    secret_name         = local.cluster_services.alertmanager_smtp.secret_name
    credentials_version = local.cluster_services.alertmanager_smtp.credentials_version
  }

  tags = module.tags.tags
}
