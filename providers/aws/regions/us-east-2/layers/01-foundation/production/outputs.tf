# Read by later layers through terraform_remote_state (same workspace). Null when the client is disabled.

output "compute_security_group_id" {
  description = "Security group for standalone compute (layer 04): custom ports from the VPC."
  value       = try(module.vpc[0].compute_security_group_id, null)
}

output "database_security_group_id" {
  description = "Security group for database instances (layer 03): database ports from the VPC."
  value       = try(module.vpc[0].database_security_group_id, null)
}

output "eks_route_table_ids" {
  description = "Route table IDs of the EKS subnets, keyed by AZ."
  value       = try(module.vpc[0].eks_route_table_ids, null)
}

output "eks_security_group_id" {
  description = "Security group for the EKS control plane (layer 02)."
  value       = try(module.vpc[0].eks_security_group_id, null)
}

output "eks_subnet_ids" {
  description = "EKS node subnet IDs, keyed by AZ."
  value       = try(module.vpc[0].eks_subnet_ids, null)
}

output "flow_logs_log_group_name" {
  description = "CloudWatch log group receiving the VPC flow logs."
  value       = try(module.vpc[0].flow_logs_log_group_name, null)
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = try(module.vpc[0].internet_gateway_id, null)
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs, keyed by AZ (network.nat_gateway_azs)."
  value       = try(module.vpc[0].nat_gateway_ids, null)
}

output "nat_public_ips" {
  description = "Elastic IPs of the NAT gateways, keyed by AZ (the client's egress addresses)."
  value       = try(module.vpc[0].nat_public_ips, null)
}

output "private_route_table_ids" {
  description = "Route table IDs of the private subnets, keyed by AZ."
  value       = try(module.vpc[0].private_route_table_ids, null)
}

output "private_subnet_ids" {
  description = "Private subnet IDs, keyed by AZ."
  value       = try(module.vpc[0].private_subnet_ids, null)
}

output "public_route_table_id" {
  description = "ID of the public route table."
  value       = try(module.vpc[0].public_route_table_id, null)
}

output "public_subnet_ids" {
  description = "Public subnet IDs, keyed by AZ."
  value       = try(module.vpc[0].public_subnet_ids, null)
}

output "vpc_cidr" {
  description = "CIDR block of the client's VPC."
  value       = try(module.vpc[0].vpc_cidr, null)
}

output "vpc_id" {
  description = "ID of the client's VPC."
  value       = try(module.vpc[0].vpc_id, null)
}

output "vpn_connection_id" {
  description = "ID of the site-to-site VPN connection, or null."
  value       = try(module.vpc[0].vpn_connection_id, null)
}

output "vpn_gateway_id" {
  description = "ID of the VPN gateway, or null."
  value       = try(module.vpc[0].vpn_gateway_id, null)
}

output "vpn_preshared_key_arn" {
  description = "Secrets Manager secret holding the VPN pre-shared keys (give it to the client's network team), or null."
  value       = try(module.vpc[0].vpn_preshared_key_arn, null)
}
