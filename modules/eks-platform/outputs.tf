################################################################################
# Cluster
################################################################################

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded certificate authority data of the cluster API (for kubeconfig and the kubernetes/helm providers)."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_endpoint" {
  description = "HTTPS endpoint of the Kubernetes API."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_security_group_id" {
  description = "ID of the security group EKS created for the cluster (attached to the control plane and the managed nodes)."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting Kubernetes secrets and the control-plane log group."
  value       = module.kms.key_arn
}

output "log_group_name" {
  description = "Name of the CloudWatch log group receiving the control-plane logs."
  value       = aws_cloudwatch_log_group.this.name
}

################################################################################
# IRSA
################################################################################

output "ebs_csi_driver_role_arn" {
  description = "ARN of the EBS CSI driver's IRSA role."
  value       = aws_iam_role.ebs_csi_driver.arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster (https://...), for IRSA trust policies in later layers."
  value       = local.oidc_issuer_url
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider of the cluster, the Federated principal of IRSA roles."
  value       = aws_iam_openid_connect_provider.this.arn
}

################################################################################
# Nodes
################################################################################

output "node_group_name" {
  description = "Name of the managed node group."
  value       = aws_eks_node_group.this.node_group_name
}

output "node_role_arn" {
  description = "ARN of the node IAM role."
  value       = aws_iam_role.node.arn
}

output "node_role_name" {
  description = "Name of the node IAM role (e.g. to attach policies in later layers)."
  value       = aws_iam_role.node.name
}

################################################################################
# Storage
################################################################################

output "default_storage_class_name" {
  description = "Name of the default StorageClass (encrypted gp3, EBS CSI driver, WaitForFirstConsumer)."
  value       = kubernetes_storage_class_v1.default.metadata[0].name
}
