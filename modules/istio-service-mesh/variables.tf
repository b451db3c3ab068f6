variable "enabled" {
  type        = bool
  description = "Install Istio (rendered `settings.cluster_services.enable_istio_service_mesh`)."
}

variable "chart_version" {
  type        = string
  description = "Istio chart version, the same for base, istiod, cni, ztunnel and gateway (rendered `settings.versions.istio`)."
}

variable "cluster_name" {
  type        = string
  description = "Name of the EKS cluster (used as the mesh's cluster id)."
}

variable "ingress_replicas" {
  type        = number
  description = "Replicas of the ingress gateway (rendered `settings.cluster_services.istio_ingress_replicas`)."

  validation {
    condition     = var.ingress_replicas >= 1
    error_message = "ingress_replicas must be at least 1."
  }
}

variable "ingress_load_balancer_class" {
  type        = string
  description = "loadBalancerClass of the ingress gateway Service; `service.k8s.aws/nlb` hands it to the AWS Load Balancer Controller (layer 05), null leaves it to the in-tree controller."
  default     = "service.k8s.aws/nlb"
}

variable "system_namespace" {
  type        = string
  description = "Namespace of the control plane, CNI and ztunnel."
  default     = "istio-system"
}

variable "ingress_namespace" {
  type        = string
  description = "Namespace of the ingress gateway."
  default     = "istio-ingress"
}
