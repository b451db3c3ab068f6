# Cluster services of one client's EKS cluster (runbook "Layer 05"): cluster-autoscaler, AWS Load
# Balancer Controller, metrics-server and ExternalDNS, each with its own IRSA role, plus the client's
# public Route53 zone delegated from the parent zone. Every name comes from the rendered `names`.

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

locals {
  flags = var.cluster_services

  # Service accounts bound to the IRSA roles (the charts create them with these names).
  service_accounts = {
    cluster-autoscaler           = { enabled = local.flags.enable_cluster_autoscaler, name = "cluster-autoscaler", role = var.iam_role_names.cluster_autoscaler, description = "" }
    aws-load-balancer-controller = { enabled = local.flags.enable_aws_load_balancer_controller, name = "aws-load-balancer-controller", role = var.iam_role_names.aws_load_balancer_controller, description = "" }
    external-dns                 = { enabled = local.flags.enable_external_dns, name = "external-dns", role = var.iam_role_names.external_dns, description = "; limited to ${var.dns_zone_name}" }
  }

  # Managed node groups tag their Auto Scaling groups with these keys; the autoscaler discovers
  # exactly this cluster's groups and the IAM policy only lets it resize groups owned by this cluster.
  autoscaler_owner_tag = "k8s.io/cluster-autoscaler/${var.cluster_name}"
}

################################################################################
# Route53: the client zone and its delegation in the parent zone
################################################################################

data "aws_route53_zone" "parent" {
  name         = var.parent_zone_name
  private_zone = false
}

resource "aws_route53_zone" "client" {
  #checkov:skip=CKV2_AWS_38:DNSSEC needs the parent zone signed (platform-owned, not managed in this repo) and a us-east-1 KMS signing key; signing one child alone gives no chain of trust and risks an outage if the key is disabled. Belongs to a platform-level change.
  #checkov:skip=CKV2_AWS_39:Query logging needs a us-east-1 log group and an account-wide CloudWatch Logs resource policy (10 per region) owned by the platform; record changes are audited via CloudTrail (route53:ChangeResourceRecordSets).
  name    = var.dns_zone_name
  comment = "Client zone of ${var.cluster_name}, delegated from ${var.parent_zone_name}; records managed by ExternalDNS"
  # ExternalDNS (policy sync) leaves its records and TXT ownership records behind when the cluster goes;
  # without force_destroy, offboarding fails with HostedZoneNotEmpty. Every record in this zone belongs to
  # this client (ExternalDNS may change this zone only), so deleting them with the zone loses nothing.
  force_destroy = true

  tags = merge(var.tags, { Name = var.dns_zone_name })
}

resource "aws_route53_record" "delegation" {
  zone_id = data.aws_route53_zone.parent.zone_id
  name    = var.dns_zone_name
  type    = "NS"
  ttl     = var.delegation_ttl
  records = aws_route53_zone.client.name_servers
}

################################################################################
# IRSA roles (one per enabled service account; modules/irsa-role) with the policies defined below
################################################################################

locals {
  irsa_managed_policy_arns = { for p in aws_iam_policy.aws_load_balancer_controller : "aws-load-balancer-controller" => p.arn }
}

module "irsa_role" {
  source   = "../irsa-role"
  for_each = { for key, sa in local.service_accounts : key => sa if sa.enabled }

  name                = each.value.role
  description         = "IRSA role of ${each.key} in ${var.cluster_name}${each.value.description}"
  oidc_provider_arn   = var.oidc_provider_arn
  oidc_issuer_url     = var.oidc_issuer_url
  namespace           = var.namespace
  service_account     = each.value.name
  managed_policy_arns = { for k, v in local.irsa_managed_policy_arns : k => v if k == each.key }
  tags                = var.tags
}

################################################################################
# Cluster Autoscaler
################################################################################

data "aws_iam_policy_document" "cluster_autoscaler" {
  count = local.flags.enable_cluster_autoscaler ? 1 : 0

  statement {
    sid    = "ResizeOwnNodeGroupsOnly"
    effect = "Allow"
    actions = [
      "autoscaling:SetDesiredCapacity",
      "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]
    resources = ["arn:${data.aws_partition.current.partition}:autoscaling:${var.region}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.autoscaler_owner_tag}"
      values   = ["owned"]
    }
  }

  statement {
    sid    = "DescribeForDiscovery"
    effect = "Allow"
    # Describe/Get calls have no resource-level permissions in IAM; "*" is what AWS requires.
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "DescribeOwnNodeGroups"
    effect    = "Allow"
    actions   = ["eks:DescribeNodegroup"]
    resources = ["arn:${data.aws_partition.current.partition}:eks:${var.region}:${data.aws_caller_identity.current.account_id}:nodegroup/${var.cluster_name}/*/*"]
  }
}

resource "aws_iam_role_policy" "cluster_autoscaler" {
  count = local.flags.enable_cluster_autoscaler ? 1 : 0

  name   = "cluster-autoscaler"
  role   = module.irsa_role["cluster-autoscaler"].role_name
  policy = data.aws_iam_policy_document.cluster_autoscaler[0].json
}

resource "helm_release" "cluster_autoscaler" {
  count = local.flags.enable_cluster_autoscaler ? 1 : 0

  name       = "cluster-autoscaler"
  namespace  = var.namespace
  repository = "https://kubernetes.github.io/autoscaler"
  chart      = "cluster-autoscaler"
  version    = var.chart_versions.cluster_autoscaler
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/cluster-autoscaler.yaml.tftpl", {
    cluster_name                  = var.cluster_name
    region                        = var.region
    service_account               = local.service_accounts["cluster-autoscaler"].name
    role_arn                      = module.irsa_role["cluster-autoscaler"].role_arn
    image_tag                     = var.chart_versions.cluster_autoscaler_image_tag
    scale_down_enabled            = local.flags.cluster_autoscaler_scale_down_enabled
    scale_down_unneeded_time      = local.flags.cluster_autoscaler_scale_down_unneeded_time
    scale_down_utilization_thresh = local.flags.cluster_autoscaler_scale_down_utilization_threshold
  })]

  depends_on = [aws_iam_role_policy.cluster_autoscaler]
}

################################################################################
# AWS Load Balancer Controller
################################################################################

resource "aws_iam_policy" "aws_load_balancer_controller" {
  count = local.flags.enable_aws_load_balancer_controller ? 1 : 0

  name        = var.iam_role_names.aws_load_balancer_controller
  description = "Upstream AWS Load Balancer Controller policy (v2.8.x iam_policy.json) for ${var.cluster_name}"
  policy      = file("${path.module}/policies/aws-load-balancer-controller.json")

  tags = merge(var.tags, { Name = var.iam_role_names.aws_load_balancer_controller })
}

resource "helm_release" "aws_load_balancer_controller" {
  count = local.flags.enable_aws_load_balancer_controller ? 1 : 0

  name       = "aws-load-balancer-controller"
  namespace  = var.namespace
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  version    = var.chart_versions.aws_load_balancer_controller
  atomic     = true
  # Also waits on uninstall. The controller must outlive every Service of class service.k8s.aws/nlb (the
  # Istio gateway): layer 05 makes module.istio depend on this module, so destroy removes the gateway first.
  wait    = true
  timeout = 600

  values = [templatefile("${path.module}/values/aws-load-balancer-controller.yaml.tftpl", {
    cluster_name    = var.cluster_name
    region          = var.region
    vpc_id          = var.vpc_id
    service_account = local.service_accounts["aws-load-balancer-controller"].name
    role_arn        = module.irsa_role["aws-load-balancer-controller"].role_arn
  })]

  depends_on = [module.irsa_role]
}

################################################################################
# metrics-server (no AWS permissions)
################################################################################

resource "helm_release" "metrics_server" {
  count = local.flags.enable_metrics_server ? 1 : 0

  name       = "metrics-server"
  namespace  = var.namespace
  repository = "https://kubernetes-sigs.github.io/metrics-server/"
  chart      = "metrics-server"
  version    = var.chart_versions.metrics_server
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/metrics-server.yaml.tftpl", {})]
}

################################################################################
# ExternalDNS: may change records in the client's own zone and nowhere else
################################################################################

data "aws_iam_policy_document" "external_dns" {
  count = local.flags.enable_external_dns ? 1 : 0

  statement {
    sid       = "ChangeOwnZoneOnly"
    effect    = "Allow"
    actions   = ["route53:ChangeResourceRecordSets"]
    resources = [aws_route53_zone.client.arn]
  }

  statement {
    sid    = "ReadOwnZone"
    effect = "Allow"
    actions = [
      "route53:ListResourceRecordSets",
      "route53:ListTagsForResource",
      "route53:ListTagsForResources",
    ]
    resources = [aws_route53_zone.client.arn]
  }

  statement {
    sid    = "ListZones"
    effect = "Allow"
    # ListHostedZones has no resource-level permissions; ExternalDNS filters to the client zone
    # by id and domain (values file), and can only change that zone (statement above).
    actions   = ["route53:ListHostedZones"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "external_dns" {
  count = local.flags.enable_external_dns ? 1 : 0

  name   = "external-dns"
  role   = module.irsa_role["external-dns"].role_name
  policy = data.aws_iam_policy_document.external_dns[0].json
}

resource "helm_release" "external_dns" {
  count = local.flags.enable_external_dns ? 1 : 0

  name       = "external-dns"
  namespace  = var.namespace
  repository = "https://kubernetes-sigs.github.io/external-dns/"
  chart      = "external-dns"
  version    = var.chart_versions.external_dns
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/external-dns.yaml.tftpl", {
    region          = var.region
    zone_name       = var.dns_zone_name
    zone_id         = aws_route53_zone.client.zone_id
    txt_owner_id    = var.cluster_name
    service_account = local.service_accounts["external-dns"].name
    role_arn        = module.irsa_role["external-dns"].role_arn
  })]

  depends_on = [aws_iam_role_policy.external_dns, aws_route53_record.delegation]
}
