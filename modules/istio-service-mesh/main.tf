# Istio in ambient mode (runbook "Layer 05": Istio Service Mesh): base CRDs, istiod, the CNI node
# agent, ztunnel and one ingress gateway. Charts come from Istio's release repository; every chart
# uses the same version, and each release waits for the previous one (CRDs -> control plane ->
# node agents -> gateway), as Istio's Helm install guide requires.

locals {
  repository = "https://istio-release.storage.googleapis.com/charts"
  count      = var.enabled ? 1 : 0
}

resource "helm_release" "base" {
  count = local.count

  name             = "istio-base"
  namespace        = var.system_namespace
  create_namespace = true
  repository       = local.repository
  chart            = "base"
  version          = var.chart_version
  atomic           = true

  values = [templatefile("${path.module}/values/base.yaml.tftpl", {})]
}

resource "helm_release" "istiod" {
  count = local.count

  name       = "istiod"
  namespace  = var.system_namespace
  repository = local.repository
  chart      = "istiod"
  version    = var.chart_version
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/istiod.yaml.tftpl", {
    cluster_name = var.cluster_name
  })]

  depends_on = [helm_release.base]
}

resource "helm_release" "cni" {
  count = local.count

  name       = "istio-cni"
  namespace  = var.system_namespace
  repository = local.repository
  chart      = "cni"
  version    = var.chart_version
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/cni.yaml.tftpl", {})]

  depends_on = [helm_release.istiod]
}

resource "helm_release" "ztunnel" {
  count = local.count

  name       = "ztunnel"
  namespace  = var.system_namespace
  repository = local.repository
  chart      = "ztunnel"
  version    = var.chart_version
  atomic     = true
  timeout    = 600

  values = [templatefile("${path.module}/values/ztunnel.yaml.tftpl", {
    cluster_name = var.cluster_name
  })]

  depends_on = [helm_release.cni]
}

resource "helm_release" "ingress_gateway" {
  count = local.count

  name             = "istio-ingress"
  namespace        = var.ingress_namespace
  create_namespace = true
  repository       = local.repository
  chart            = "gateway"
  version          = var.chart_version
  atomic           = true
  # Destroy: `helm uninstall --wait` returns only when the gateway's Service object is gone. The AWS Load
  # Balancer Controller holds its finalizer (service.k8s.aws/resources) until it has deleted the NLB, its
  # target groups and security groups, so when this release is destroyed the NLB is gone. The caller must
  # destroy this module before the controller (layer 05: depends_on = [module.shared_services]); otherwise
  # the NLB is orphaned and the VPC destroy of layer 01 fails with DependencyViolation.
  wait    = true
  timeout = 900

  values = [templatefile("${path.module}/values/gateway.yaml.tftpl", {
    replicas            = var.ingress_replicas
    load_balancer_class = var.ingress_load_balancer_class
  })]

  depends_on = [helm_release.ztunnel]
}
