# Observability stack of one client (runbook "Layer 06"): kube-prometheus-stack (Prometheus,
# Alertmanager, Grafana), Loki, Tempo and Fluent Bit, sized by the rendered tier values. Long-term
# data goes to the platform's shared buckets, under the client's own prefix only.

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  s3_arn = "arn:${data.aws_partition.current.partition}:s3:::"

  # One IRSA role per component that writes to S3: its service account, bucket and client prefix.
  # Loki and Fluent Bit share the logs prefix (Loki under loki/, Fluent Bit's raw archive under
  # fluent-bit/); Prometheus' Thanos sidecar writes metrics; Tempo writes traces.
  storage = {
    prometheus = { role = var.iam_role_names.prometheus, sa = "prometheus", bucket = var.buckets.metrics, prefix = var.prefixes.metrics }
    loki       = { role = var.iam_role_names.loki, sa = "loki", bucket = var.buckets.logs, prefix = var.prefixes.logs }
    tempo      = { role = var.iam_role_names.tempo, sa = "tempo", bucket = var.buckets.traces, prefix = var.prefixes.traces }
    fluent-bit = { role = var.iam_role_names.fluent_bit, sa = "fluent-bit", bucket = var.buckets.logs, prefix = var.prefixes.logs }
  }

  grafana_admin_k8s_secret = "grafana-admin"
  slack_k8s_secret         = "alertmanager-slack"
  smtp_k8s_secret          = "alertmanager-smtp"

  # The Slack receiver exists only when the client has a channel AND the webhook secret exists.
  slack_enabled = var.alerting.slack_channel != null && contains(data.aws_secretsmanager_secrets.slack_webhook.names, var.slack_webhook_secret_name)
}

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
    labels = {
      "app.kubernetes.io/part-of" = "observability"
    }
  }
}

################################################################################
# IRSA: each role may touch its own client prefix and nothing else
################################################################################

data "aws_iam_policy_document" "storage" {
  for_each = local.storage

  statement {
    sid    = "ObjectsUnderClientPrefixOnly"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.s3_arn}${each.value.bucket}/${each.value.prefix}*"]
  }

  statement {
    sid       = "ListClientPrefixOnly"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = ["${local.s3_arn}${each.value.bucket}"]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [each.value.prefix, "${each.value.prefix}*"]
    }
  }
}

module "storage_role" {
  source   = "../irsa-role"
  for_each = local.storage

  name              = each.value.role
  description       = "IRSA role of ${each.key} in ${var.cluster_name}: s3://${each.value.bucket}/${each.value.prefix} only"
  oidc_provider_arn = var.oidc_provider_arn
  oidc_issuer_url   = var.oidc_issuer_url
  namespace         = var.namespace
  service_account   = each.value.sa
  tags              = var.tags
}

# The S3 policy stays here, next to its document: clientctl's isolation check follows it statically only within
# this module (it does not follow for_each module instances).
resource "aws_iam_role_policy" "storage" {
  for_each = local.storage

  name   = "${each.key}-client-prefix"
  role   = module.storage_role[each.key].role_name
  policy = data.aws_iam_policy_document.storage[each.key].json
}

################################################################################
# Grafana admin password: generated ephemerally, stored write-only in Secrets Manager and copied
# write-only into a Kubernetes secret; it never enters helm values, the plan or the state.
################################################################################

# Key policy = the AWS default: the account administers the key and IAM policies grant its use (Secrets Manager
# encrypts with the caller's permissions). No alias: this key never had one.
module "secrets_kms" {
  source = "../kms-key"

  name        = "${var.cluster_name}-observability-secrets"
  description = "Observability secrets of ${var.cluster_name} (Grafana admin)"
  # The Sid this key was created with, so its policy stays the same.
  statement_ids = { account_administration = "AccountAdministersKeyViaIAM" }
  tags          = var.tags
}

resource "aws_secretsmanager_secret" "grafana_admin" {
  #checkov:skip=CKV2_AWS_57:Rotation is Terraform-driven (bump grafana_admin_password_version); a Lambda rotator cannot update Grafana's user database, so Secrets Manager rotation would desynchronise the login.
  name        = var.grafana_admin_secret_name
  description = "Grafana admin credentials of ${var.cluster_name} (JSON: username, password)"
  kms_key_id  = module.secrets_kms.key_arn
  # 0 = delete at once on destroy. With a recovery window the name stays reserved for that many days, so
  # offboarding and onboarding the same client again within the window fails at CreateSecret ("scheduled
  # for deletion"). Trade-off: a destroyed secret cannot be restored; the value is regenerated on the next
  # apply anyway (README).
  recovery_window_in_days = 0

  tags = merge(var.tags, { Name = var.grafana_admin_secret_name })
}

ephemeral "random_password" "grafana_admin" {
  length  = 32
  special = false
}

resource "aws_secretsmanager_secret_version" "grafana_admin" {
  secret_id                = aws_secretsmanager_secret.grafana_admin.id
  secret_string_wo         = jsonencode({ username = "admin", password = ephemeral.random_password.grafana_admin.result })
  secret_string_wo_version = var.grafana_admin_password_version
}

# Read back from Secrets Manager (not from random_password, which differs on every run), so the
# Kubernetes copy always equals the stored value.
ephemeral "aws_secretsmanager_secret_version" "grafana_admin" {
  secret_id = aws_secretsmanager_secret.grafana_admin.id

  depends_on = [aws_secretsmanager_secret_version.grafana_admin]
}

resource "kubernetes_secret_v1" "grafana_admin" {
  metadata {
    name      = local.grafana_admin_k8s_secret
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }

  type = "Opaque"
  data_wo = {
    admin-user     = "admin"
    admin-password = jsondecode(ephemeral.aws_secretsmanager_secret_version.grafana_admin.secret_string).password
  }
  data_wo_revision = var.grafana_admin_password_version
}

################################################################################
# Slack webhook (optional): read from Secrets Manager by its conventional name when it exists
################################################################################

# ListSecrets filters by name prefix; the exact match is checked in local.slack_enabled.
data "aws_secretsmanager_secrets" "slack_webhook" {
  filter {
    name   = "name"
    values = [var.slack_webhook_secret_name]
  }
}

ephemeral "aws_secretsmanager_secret_version" "slack_webhook" {
  count = local.slack_enabled ? 1 : 0

  secret_id = var.slack_webhook_secret_name
}

resource "kubernetes_secret_v1" "slack_webhook" {
  count = local.slack_enabled ? 1 : 0

  metadata {
    name      = local.slack_k8s_secret
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }

  type = "Opaque"
  data_wo = {
    webhook-url = ephemeral.aws_secretsmanager_secret_version.slack_webhook[0].secret_string
  }
  data_wo_revision = var.slack_webhook_revision
}

################################################################################
# SES SMTP password: read ephemerally from layer 05's secret and copied write-only into a Kubernetes secret that
# Alertmanager mounts (smtp_auth_password_file); it never enters helm values, the plan or this state.
################################################################################

ephemeral "aws_secretsmanager_secret_version" "smtp" {
  secret_id = var.smtp_auth.secret_name
}

# A new access key (layer 05 replaced it) rewrites the Kubernetes copy even if the version was not bumped.
resource "terraform_data" "smtp_username" {
  input = var.smtp_auth.username
}

resource "kubernetes_secret_v1" "smtp" {
  metadata {
    name      = local.smtp_k8s_secret
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }

  type = "Opaque"
  data_wo = {
    password = jsondecode(ephemeral.aws_secretsmanager_secret_version.smtp.secret_string).password
  }
  data_wo_revision = var.smtp_auth.credentials_version

  lifecycle {
    replace_triggered_by = [terraform_data.smtp_username]
  }
}

################################################################################
# Helm releases
################################################################################

resource "helm_release" "kube_prometheus_stack" {
  name       = "kube-prometheus-stack"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "kube-prometheus-stack"
  version    = var.chart_versions.kube_prometheus_stack
  atomic     = true
  timeout    = 900

  values = [templatefile("${path.module}/values/kube-prometheus-stack.yaml.tftpl", {
    cluster_name              = var.cluster_name
    region                    = var.region
    prometheus_replicas       = var.observability.prometheus_replicas
    prometheus_storage_gi     = var.observability.prometheus_storage_gi
    prometheus_retention_days = var.observability.prometheus_retention_days
    alertmanager_replicas     = var.observability.alertmanager_replicas
    grafana_storage_gi        = var.observability.grafana_storage_gi
    prometheus_sa             = local.storage.prometheus.sa
    prometheus_role_arn       = module.storage_role["prometheus"].role_arn
    metrics_bucket            = var.buckets.metrics
    metrics_prefix            = var.prefixes.metrics
    grafana_admin_secret      = kubernetes_secret_v1.grafana_admin.metadata[0].name
    # Rolls the Grafana pod when the password is rotated; its postStart hook resets the admin password.
    grafana_admin_password_version = var.grafana_admin_password_version
    alert_emails                   = var.alerting.emails
    slack_enabled                  = local.slack_enabled
    slack_channel                  = var.alerting.slack_channel
    slack_secret                   = local.slack_k8s_secret
    smtp_smarthost                 = var.smtp_smarthost
    smtp_from                      = var.smtp_from
    smtp_auth_username             = var.smtp_auth.username
    smtp_secret                    = local.smtp_k8s_secret
    namespace                      = var.namespace
  })]

  depends_on = [aws_iam_role_policy.storage, kubernetes_secret_v1.slack_webhook, kubernetes_secret_v1.smtp]
}

resource "helm_release" "loki" {
  name       = "loki"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  repository = "https://grafana.github.io/helm-charts"
  chart      = "loki"
  version    = var.chart_versions.loki
  atomic     = true
  timeout    = 900

  values = [templatefile("${path.module}/values/loki.yaml.tftpl", {
    loki_retention_days = var.observability.loki_retention_days
    loki_storage_gi     = var.loki_storage_gi
    loki_sa             = local.storage.loki.sa
    loki_role_arn       = module.storage_role["loki"].role_arn
  })]

  depends_on = [aws_iam_role_policy.storage]
}

resource "helm_release" "tempo" {
  name      = "tempo"
  namespace = kubernetes_namespace_v1.this.metadata[0].name
  # The tempo (and grafana) charts moved to the grafana-community repository on 2026-01-30; the old repository
  # gets no new tempo versions (https://github.com/grafana/helm-charts/issues/4087). Loki stays at grafana.
  repository = "https://grafana-community.github.io/helm-charts"
  chart      = "tempo"
  version    = var.chart_versions.tempo
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/tempo.yaml.tftpl", {
    region               = var.region
    tempo_retention_days = var.tempo_retention_days
    tempo_sa             = local.storage.tempo.sa
    tempo_role_arn       = module.storage_role["tempo"].role_arn
    traces_bucket        = var.buckets.traces
    traces_prefix        = var.prefixes.traces
  })]

  depends_on = [aws_iam_role_policy.storage]
}

resource "helm_release" "fluent_bit" {
  name       = "fluent-bit"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  repository = "https://fluent.github.io/helm-charts"
  chart      = "fluent-bit"
  version    = var.chart_versions.fluent_bit
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/fluent-bit.yaml.tftpl", {
    cluster_name        = var.cluster_name
    region              = var.region
    fluent_bit_sa       = local.storage["fluent-bit"].sa
    fluent_bit_role_arn = module.storage_role["fluent-bit"].role_arn
    logs_bucket         = var.buckets.logs
    logs_prefix         = var.prefixes.logs
    loki_host           = "loki.${var.namespace}.svc.cluster.local"
  })]

  depends_on = [aws_iam_role_policy.storage, helm_release.loki]
}
