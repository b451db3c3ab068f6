# terraform test (mock providers, plan only): the SES sender of alert e-mail (ses.tf).
# Run: cd modules/shared-services && terraform init && terraform test
# Resource-level assertions live here because a layer's test can only read its modules' outputs; layer 05's
# tests/upstream.tftest.hcl checks the wiring of the rendered names into this module.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_resource "aws_route53_zone" {
    defaults = { zone_id = "Z0CLIENTZONE" }
  }
  mock_data "aws_route53_zone" {
    defaults = { zone_id = "Z0PARENTZONE" }
  }
  # The three DKIM tokens SES returns once the identity exists (unknown in a real plan).
  mock_resource "aws_sesv2_email_identity" {
    defaults = { dkim_signing_attributes = { tokens = ["tokena", "tokenb", "tokenc"] } }
  }
}
mock_provider "helm" {}

variables {
  cluster_name      = "acme-corp-production-us-east-2"
  oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
  oidc_issuer_url   = "https://oidc.eks.us-east-2.amazonaws.com/id/ABCDEF"
  region            = "us-east-2"
  vpc_id            = "vpc-0123456789abcdef0"
  dns_zone_name     = "acme-corp.ezra.world"
  parent_zone_name  = "ezra.world"
  iam_role_names = {
    cluster_autoscaler           = "acme-corp-production-us-east-2-cluster-autoscaler"
    aws_load_balancer_controller = "acme-corp-production-us-east-2-aws-load-balancer-controller"
    external_dns                 = "acme-corp-production-us-east-2-external-dns"
  }
  chart_versions = {
    cluster_autoscaler           = "9.59.0"
    cluster_autoscaler_image_tag = "v1.35.0"
    aws_load_balancer_controller = "1.8.1"
    metrics_server               = "3.12.2"
    external_dns                 = "1.15.0"
  }
  cluster_services = {
    enable_cluster_autoscaler                           = false
    enable_aws_load_balancer_controller                 = false
    enable_metrics_server                               = false
    enable_external_dns                                 = false
    cluster_autoscaler_scale_down_enabled               = true
    cluster_autoscaler_scale_down_unneeded_time         = "10m"
    cluster_autoscaler_scale_down_utilization_threshold = 0.5
  }
  alert_email = {
    sender         = "alertmanager@acme-corp.ezra.world"
    iam_user_name  = "acme-corp-production-us-east-2-alertmanager-smtp"
    secret_name    = "ohio-01/production/acme-corp/alertmanager-smtp"
    kms_alias_name = "alias/acme-corp-production-us-east-2-alertmanager-smtp"
  }
  tags = { Client = "acme-corp" }
}

run "client_zone_is_the_sender_identity_with_dkim_records" {
  command = plan

  assert {
    condition     = aws_sesv2_email_identity.alerts.email_identity == "acme-corp.ezra.world"
    error_message = "SES verifies the client zone itself as a domain identity."
  }
  assert {
    condition     = length(aws_route53_record.ses_dkim) == 3
    error_message = "Easy DKIM needs exactly three CNAME records."
  }
  assert {
    condition = [for r in aws_route53_record.ses_dkim : [r.name, r.type, r.records]] == [
      ["tokena._domainkey.acme-corp.ezra.world", "CNAME", toset(["tokena.dkim.amazonses.com"])],
      ["tokenb._domainkey.acme-corp.ezra.world", "CNAME", toset(["tokenb.dkim.amazonses.com"])],
      ["tokenc._domainkey.acme-corp.ezra.world", "CNAME", toset(["tokenc.dkim.amazonses.com"])],
    ]
    error_message = "Each DKIM token is published as <token>._domainkey.<zone> CNAME <token>.dkim.amazonses.com."
  }
  assert {
    condition     = alltrue([for r in aws_route53_record.ses_dkim : r.zone_id == "Z0CLIENTZONE"])
    error_message = "The DKIM records go into the client zone, never the parent zone."
  }
}

run "smtp_user_may_only_send_as_the_alert_sender" {
  command = plan

  assert {
    condition     = aws_iam_user.alertmanager_smtp.name == "acme-corp-production-us-east-2-alertmanager-smtp"
    error_message = "The IAM user has the rendered name."
  }
  assert {
    condition     = aws_iam_user_policy.alertmanager_smtp.user == aws_iam_user.alertmanager_smtp.name
    error_message = "The policy is attached to the SMTP user."
  }
  assert {
    condition = (
      length(data.aws_iam_policy_document.alertmanager_smtp.statement) == 1
      && data.aws_iam_policy_document.alertmanager_smtp.statement[0].effect == "Allow"
      && data.aws_iam_policy_document.alertmanager_smtp.statement[0].actions == toset(["ses:SendRawEmail"])
      && data.aws_iam_policy_document.alertmanager_smtp.statement[0].resources == toset(["arn:aws:ses:us-east-2:123456789012:identity/acme-corp.ezra.world"])
    )
    error_message = "One statement: ses:SendRawEmail on the client zone's identity only."
  }
  assert {
    condition = length(data.aws_iam_policy_document.alertmanager_smtp.statement[0].condition) == 1 && alltrue([
      for c in data.aws_iam_policy_document.alertmanager_smtp.statement[0].condition :
      c.test == "StringEquals" && c.variable == "ses:FromAddress" && toset(c.values) == toset(["alertmanager@acme-corp.ezra.world"])
    ])
    error_message = "Sending is limited to the alert sender address (ses:FromAddress)."
  }
}

run "smtp_password_goes_write_only_into_the_encrypted_secret" {
  command = plan

  assert {
    condition     = aws_secretsmanager_secret.alertmanager_smtp.name == "ohio-01/production/acme-corp/alertmanager-smtp"
    error_message = "The secret has the rendered name."
  }
  assert {
    condition     = aws_secretsmanager_secret_version.alertmanager_smtp.secret_string_wo == null && aws_secretsmanager_secret_version.alertmanager_smtp.secret_string_wo_version == 1
    error_message = "The SMTP password is written write-only (never in the plan), version 1 by default."
  }
  assert {
    condition     = output.alert_email.sender == "alertmanager@acme-corp.ezra.world" && output.alert_email.credentials_version == 1
    error_message = "Layer 06 gets the sender and the credentials version."
  }
}

run "sender_outside_the_client_zone_is_refused" {
  command = plan

  variables {
    alert_email = {
      sender         = "alertmanager@globex.ezra.world"
      iam_user_name  = "acme-corp-production-us-east-2-alertmanager-smtp"
      secret_name    = "ohio-01/production/acme-corp/alertmanager-smtp"
      kms_alias_name = "alias/acme-corp-production-us-east-2-alertmanager-smtp"
    }
  }

  expect_failures = [var.alert_email]
}
