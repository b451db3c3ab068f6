################################################################################
# Alert e-mail through SES: the client zone as a verified sender identity (Easy DKIM), an IAM user that may
# send only as the alert sender, and its SMTP credentials in Secrets Manager for layer 06's Alertmanager.
#
# SES's SMTP interface authenticates with an IAM user's access key id and an SMTP password derived from its
# secret access key (https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html); it accepts no role or
# web identity, so this is the one long-term IAM key of a client. The derived password is exported by
# aws_iam_access_key and therefore IS in this layer's state (README "SES SMTP credentials").
################################################################################

locals {
  ses_identity_arn = "arn:${data.aws_partition.current.partition}:ses:${var.region}:${data.aws_caller_identity.current.account_id}:identity/${var.dns_zone_name}"
}

resource "aws_sesv2_email_identity" "alerts" {
  email_identity = var.dns_zone_name

  # Easy DKIM with 2048-bit keys; the block also makes the provider report the three DKIM tokens below.
  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }

  tags = merge(var.tags, { Name = var.dns_zone_name })
}

# SES verifies the domain (and signs with Easy DKIM) once these three CNAMEs resolve. The tokens are known only
# after the identity is created; their number is always 3 (SES CreateEmailIdentity, DkimAttributes.Tokens).
resource "aws_route53_record" "ses_dkim" {
  count = 3

  zone_id = aws_route53_zone.client.zone_id
  name    = "${aws_sesv2_email_identity.alerts.dkim_signing_attributes[0].tokens[count.index]}._domainkey.${var.dns_zone_name}"
  type    = "CNAME"
  ttl     = 1800
  records = ["${aws_sesv2_email_identity.alerts.dkim_signing_attributes[0].tokens[count.index]}.dkim.amazonses.com"]
}

resource "aws_iam_user" "alertmanager_smtp" {
  #checkov:skip=CKV_AWS_273:SES SMTP accepts only IAM user credentials (an SMTP password derived from an access key); SSO or roles cannot authenticate to email-smtp. The user may only send raw e-mail as the alert sender.
  name = var.alert_email.iam_user_name
  # Deleting the user also deletes its access key and inline policy (offboarding).
  force_destroy = true

  tags = merge(var.tags, { Name = var.alert_email.iam_user_name })
}

data "aws_iam_policy_document" "alertmanager_smtp" {
  statement {
    sid       = "SendAsAlertSenderOnly"
    effect    = "Allow"
    actions   = ["ses:SendRawEmail"]
    resources = [local.ses_identity_arn]

    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.alert_email.sender]
    }
  }
}

resource "aws_iam_user_policy" "alertmanager_smtp" {
  #checkov:skip=CKV_AWS_40:An IAM group for one SMTP user adds a resource and no control; the inline policy lives and dies with the user (force_destroy) and allows only ses:SendRawEmail as the alert sender.
  name   = "ses-send-as-alert-sender"
  user   = aws_iam_user.alertmanager_smtp.name
  policy = data.aws_iam_policy_document.alertmanager_smtp.json
}

# Rotation: bump var.alert_email.credentials_version. The key is replaced, and the secret rewritten with the new
# password (same version number), which layer 06 copies into Kubernetes (output alert_email.credentials_version).
resource "terraform_data" "alertmanager_smtp_key_version" {
  input = var.alert_email.credentials_version
}

resource "aws_iam_access_key" "alertmanager_smtp" {
  user = aws_iam_user.alertmanager_smtp.name

  lifecycle {
    replace_triggered_by = [terraform_data.alertmanager_smtp_key_version]
  }
}

module "alertmanager_smtp_kms" {
  source = "../kms-key"

  name        = trimprefix(var.alert_email.kms_alias_name, "alias/")
  alias_name  = var.alert_email.kms_alias_name
  description = "SES SMTP credentials of Alertmanager in ${var.cluster_name}"
  tags        = var.tags
}

resource "aws_secretsmanager_secret" "alertmanager_smtp" {
  #checkov:skip=CKV2_AWS_57:Secrets Manager cannot rotate it: the value is derived from an IAM access key that Terraform owns; rotation = bump alert_email.credentials_version (new key, new secret value, layer 06 reapplied).
  name        = var.alert_email.secret_name
  description = "SES SMTP credentials of Alertmanager in ${var.cluster_name} (JSON: username, password)"
  kms_key_id  = module.alertmanager_smtp_kms.key_arn
  # As the Grafana secret (layer 06): the name is not reserved for a recovery window, so a client can be
  # offboarded and onboarded again at once; the value is re-derived from a new key on the next apply.
  recovery_window_in_days = 0

  tags = merge(var.tags, { Name = var.alert_email.secret_name })
}

# Write-only: the secret's value is not stored in this resource's state (the access key's is, see above).
resource "aws_secretsmanager_secret_version" "alertmanager_smtp" {
  secret_id = aws_secretsmanager_secret.alertmanager_smtp.id
  secret_string_wo = jsonencode({
    username = aws_iam_access_key.alertmanager_smtp.id
    password = aws_iam_access_key.alertmanager_smtp.ses_smtp_password_v4
  })
  secret_string_wo_version = var.alert_email.credentials_version

  lifecycle {
    # A key replaced for any other reason (e.g. a renamed user) must reach the secret too, though the version
    # number did not change.
    replace_triggered_by = [aws_iam_access_key.alertmanager_smtp]
  }
}
