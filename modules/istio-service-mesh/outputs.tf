output "releases" {
  description = "Helm release name and namespace per Istio component (empty when Istio is switched off)."
  value = merge(
    { for r in helm_release.base : "base" => { name = r.name, namespace = r.namespace } },
    { for r in helm_release.istiod : "istiod" => { name = r.name, namespace = r.namespace } },
    { for r in helm_release.cni : "cni" => { name = r.name, namespace = r.namespace } },
    { for r in helm_release.ztunnel : "ztunnel" => { name = r.name, namespace = r.namespace } },
    { for r in helm_release.ingress_gateway : "ingress-gateway" => { name = r.name, namespace = r.namespace } },
  )
}

output "ingress_namespace" {
  description = "Namespace of the ingress gateway (null when Istio is switched off)."
  value       = var.enabled ? var.ingress_namespace : null
}
