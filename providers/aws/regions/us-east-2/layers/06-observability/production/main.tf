# Layer 06 (observability) for ONE client: the Terraform workspace is the client name
# (design decision 5). Reads the cluster from 02-platform.

locals {
  client_known = contains(keys(var.clients), terraform.workspace)
  client       = local.client_known ? var.clients[terraform.workspace] : null

  # Nothing is read or planned for an unknown workspace, a disabled client (`enabled: false`) or a client
  # without a cluster (`eks.enabled: false`, so layer 02 has none), so the workspace guard below is the only
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

resource "terraform_data" "workspace_guard" {
  input = terraform.workspace

  lifecycle {
    precondition {
      condition     = local.client_known
      error_message = "Workspace \"${terraform.workspace}\" is not a client of this layer. Select a client workspace: `terraform workspace select <client>`; known clients: ${join(", ", sort(keys(var.clients)))}."
    }
  }
}

# Disabled for a workspace that is not a client, so the tagging module's own validations (which require the
# rendered tag keys) cannot fail before the workspace guard: the guard is the first and only error (as 01/02).
module "tags" {
  source = "../../../../../../../modules/tagging"

  enabled     = local.client_known
  client_tags = local.client_known ? local.client.tags : {}
  layer       = var.settings.layer
}

data "terraform_remote_state" "platform" {
  count = local.enabled ? 1 : 0

  backend   = "s3"
  workspace = terraform.workspace
  config    = var.settings.remote_state["02-platform"]

  lifecycle {
    # The charts' PVCs name no StorageClass: they need the default class layer 02 creates (an EKS >= 1.30
    # cluster has none of its own). A state without it is an unapplied (or pre-upgrade) layer 02.
    postcondition {
      condition     = try(self.outputs.cluster_endpoint, null) != null && try(self.outputs.default_storage_class_name, null) != null
      error_message = "Layer 02-platform has no cluster with a default StorageClass for client \"${terraform.workspace}\": apply 02-platform for ${terraform.workspace} first (providers/aws/regions/us-east-2/layers/02-platform/production, workspace ${terraform.workspace})."
    }
  }
}

# Layer 05 owns the client zone and the SES sender of alert e-mail: its IAM user's access key id is the SMTP user
# name and its Secrets Manager secret holds the SMTP password (modules/shared-services/ses.tf).
data "terraform_remote_state" "cluster_services" {
  count = local.enabled ? 1 : 0

  backend   = "s3"
  workspace = terraform.workspace
  config    = var.settings.remote_state["05-cluster-services"]

  lifecycle {
    postcondition {
      condition     = try(self.outputs.alertmanager_smtp.smtp_username, null) != null && try(self.outputs.alertmanager_smtp.secret_name, null) != null
      error_message = "Layer 05-cluster-services has no SES SMTP sender for client \"${terraform.workspace}\": apply 05-cluster-services for ${terraform.workspace} first (providers/aws/regions/us-east-2/layers/05-cluster-services/production, workspace ${terraform.workspace})."
    }
  }
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
