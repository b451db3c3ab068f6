# Read by layers 05-cluster-services and 06-observability through terraform_remote_state (same workspace).
# Null when the client or its EKS cluster is disabled.

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = try(module.eks[0].cluster_arn, null)
}

output "cluster_certificate_authority_data" {
  description = "Base64 certificate authority data of the cluster API (kubeconfig, helm/kubernetes providers)."
  value       = try(module.eks[0].cluster_certificate_authority_data, null)
}

output "cluster_endpoint" {
  description = "HTTPS endpoint of the Kubernetes API."
  value       = try(module.eks[0].cluster_endpoint, null)
}

output "cluster_name" {
  description = "Name of the EKS cluster (names.cluster)."
  value       = try(module.eks[0].cluster_name, null)
}

output "cluster_security_group_id" {
  description = "ID of the EKS-managed cluster security group (control plane and nodes)."
  value       = try(module.eks[0].cluster_security_group_id, null)
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = try(module.eks[0].cluster_version, null)
}

output "default_storage_class_name" {
  description = "Default StorageClass of the cluster (encrypted gp3 through the EBS CSI driver); layer 06 requires it."
  value       = try(module.eks[0].default_storage_class_name, null)
}

output "ebs_csi_driver_role_arn" {
  description = "ARN of the EBS CSI driver's IRSA role."
  value       = try(module.eks[0].ebs_csi_driver_role_arn, null)
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting Kubernetes secrets and the control-plane logs."
  value       = try(module.eks[0].kms_key_arn, null)
}

output "node_group_name" {
  description = "Name of the managed node group (names.node_group)."
  value       = try(module.eks[0].node_group_name, null)
}

output "node_role_arn" {
  description = "ARN of the node IAM role."
  value       = try(module.eks[0].node_role_arn, null)
}

output "node_role_name" {
  description = "Name of the node IAM role."
  value       = try(module.eks[0].node_role_name, null)
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster, for IRSA trust policies."
  value       = try(module.eks[0].oidc_issuer_url, null)
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (Federated principal of IRSA roles)."
  value       = try(module.eks[0].oidc_provider_arn, null)
}
