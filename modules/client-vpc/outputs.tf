################################################################################
# VPC
################################################################################

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

################################################################################
# Subnets (maps keyed by AZ)
################################################################################

output "eks_subnet_ids" {
  description = "EKS node subnet IDs keyed by AZ."
  value       = { for az, subnet in aws_subnet.eks : az => subnet.id }
}

output "private_subnet_ids" {
  description = "Private subnet IDs keyed by AZ."
  value       = { for az, subnet in aws_subnet.private : az => subnet.id }
}

output "public_subnet_ids" {
  description = "Public subnet IDs keyed by AZ."
  value       = { for az, subnet in aws_subnet.public : az => subnet.id }
}

################################################################################
# Gateways and routing
################################################################################

output "eks_route_table_ids" {
  description = "Route table IDs of the EKS subnets keyed by AZ."
  value       = { for az, rt in aws_route_table.eks : az => rt.id }
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs keyed by AZ (only the AZs in network.nat_gateway_azs)."
  value       = { for az, nat in aws_nat_gateway.this : az => nat.id }
}

output "nat_public_ips" {
  description = "Public (Elastic) IPs of the NAT gateways keyed by AZ, e.g. for client-side allow lists."
  value       = { for az, eip in aws_eip.nat : az => eip.public_ip }
}

output "private_route_table_ids" {
  description = "Route table IDs of the private subnets keyed by AZ."
  value       = { for az, rt in aws_route_table.private : az => rt.id }
}

output "public_route_table_id" {
  description = "ID of the route table shared by the public subnets."
  value       = aws_route_table.public.id
}

################################################################################
# Security groups
################################################################################

output "compute_security_group_id" {
  description = "ID of the standalone-compute security group (custom ports from the VPC)."
  value       = aws_security_group.compute.id
}

output "database_security_group_id" {
  description = "ID of the database security group (database ports from the VPC)."
  value       = aws_security_group.database.id
}

output "eks_security_group_id" {
  description = "ID of the EKS security group (attached to the control-plane ENIs by layer 02)."
  value       = aws_security_group.eks.id
}

################################################################################
# Flow logs
################################################################################

output "flow_logs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the flow-log group."
  value       = module.flow_logs_kms.key_arn
}

output "flow_logs_log_group_name" {
  description = "Name of the CloudWatch log group receiving the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.name
}

################################################################################
# VPN
################################################################################

output "customer_gateway_id" {
  description = "ID of the customer gateway, or null without a VPN."
  value       = try(aws_customer_gateway.this[0].id, null)
}

output "vpn_connection_id" {
  description = "ID of the site-to-site VPN connection, or null without a VPN."
  value       = try(aws_vpn_connection.this[0].id, null)
}

output "vpn_gateway_id" {
  description = "ID of the VPN (virtual private) gateway, or null without a VPN."
  value       = try(aws_vpn_gateway.this[0].id, null)
}

output "vpn_preshared_key_arn" {
  description = "ARN of the Secrets Manager secret holding the VPN tunnels' pre-shared keys, or null without a VPN."
  value       = try(aws_vpn_connection.this[0].preshared_key_arn, null)
}
