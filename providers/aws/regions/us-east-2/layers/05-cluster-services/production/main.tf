# Layer 05 (cluster services) for ONE client: the Terraform workspace is the client name
# (design decision 5). Reads the cluster from 02-platform and the VPC from 01-foundation.

locals {
  # Nothing is read or planned for an unknown workspace, a disabled client (`enabled: false`) or a client
  # without a cluster (`eks.enabled: false`, so layer 02 has none), so the workspace guard (layer.tf) is the only
  # error an operator sees in the wrong workspace and a disabled client plans zero resources.
  enabled = local.client_known ? (local.client.enabled && local.client.eks.enabled) : false

  platform   = local.enabled ? data.terraform_remote_state.platform[0].outputs : null
  foundation = local.enabled ? data.terraform_remote_state.foundation[0].outputs : null

  cluster = {
    name           = try(local.platform.cluster_name, null)
    endpoint       = try(local.platform.cluster_endpoint, null)
    ca_certificate = try(base64decode(local.platform.cluster_certificate_authority_data), null)
  }

  # The helm/kubernetes providers are configured even when no resource uses them (disabled client): host and
  # CA stay null (the providers then have no cluster and are never asked to reach one), and the token command
  # gets a placeholder instead of a null list element, which Terraform rejects in provider configuration.
  exec_cluster_name = coalesce(local.cluster.name, "no-cluster")
}

module "shared_services" {
  source = "../../../../../../../modules/shared-services"
  count  = local.enabled ? 1 : 0

  cluster_name      = local.platform.cluster_name
  oidc_provider_arn = local.platform.oidc_provider_arn
  oidc_issuer_url   = local.platform.oidc_issuer_url
  region            = var.settings.region
  vpc_id            = local.foundation.vpc_id
  dns_zone_name     = local.client.names.dns_zone
  parent_zone_name  = var.settings.parent_zone

  iam_role_names = {
    cluster_autoscaler           = local.client.names.iam_roles["cluster-autoscaler"]
    aws_load_balancer_controller = local.client.names.iam_roles["aws-load-balancer-controller"]
    external_dns                 = local.client.names.iam_roles["external-dns"]
  }

  chart_versions = {
    cluster_autoscaler           = var.settings.versions.cluster_autoscaler
    cluster_autoscaler_image_tag = var.settings.versions.cluster_autoscaler_image_tag
    aws_load_balancer_controller = var.settings.versions.aws_load_balancer_controller
    metrics_server               = var.settings.versions.metrics_server
    external_dns                 = var.settings.versions.external_dns
  }

  cluster_services = {
    enable_cluster_autoscaler                           = var.settings.cluster_services.enable_cluster_autoscaler
    enable_aws_load_balancer_controller                 = var.settings.cluster_services.enable_aws_load_balancer_controller
    enable_metrics_server                               = var.settings.cluster_services.enable_metrics_server
    enable_external_dns                                 = var.settings.cluster_services.enable_external_dns
    cluster_autoscaler_scale_down_enabled               = var.settings.cluster_services.cluster_autoscaler_scale_down_enabled
    cluster_autoscaler_scale_down_unneeded_time         = var.settings.cluster_services.cluster_autoscaler_scale_down_unneeded_time
    cluster_autoscaler_scale_down_utilization_threshold = var.settings.cluster_services.cluster_autoscaler_scale_down_utilization_threshold
  }

  # SES sender of alert e-mail (modules/shared-services/ses.tf); layer 06 reads output alertmanager_smtp.
  alert_email = {
    sender         = local.client.names.email_senders["alertmanager"]
    iam_user_name  = local.client.names.iam_users["alertmanager-smtp"]
    secret_name    = local.client.names.secrets["alertmanager-smtp"]
    kms_alias_name = local.client.names.kms_aliases["alertmanager_smtp"]
  }

  tags = module.tags.tags
}

module "istio" {
  source = "../../../../../../../modules/istio-service-mesh"
  count  = local.enabled ? 1 : 0

  enabled          = var.settings.cluster_services.enable_istio_service_mesh
  chart_version    = var.settings.versions.istio
  cluster_name     = local.platform.cluster_name
  ingress_replicas = var.settings.cluster_services.istio_ingress_replicas

  # Without the AWS Load Balancer Controller the gateway Service falls back to the in-tree controller.
  ingress_load_balancer_class = var.settings.cluster_services.enable_aws_load_balancer_controller ? "service.k8s.aws/nlb" : null

  # The gateway's Service needs the load balancer controller (and its webhook) running first. The same edge
  # orders destroy in reverse: the gateway (whose NLB the controller deletes while its Service is removed,
  # helm wait = true) goes before the controller, its IRSA role and policy. Never remove this depends_on:
  # a controller destroyed first orphans the NLB and the VPC destroy fails with DependencyViolation.
  depends_on = [module.shared_services]
}
