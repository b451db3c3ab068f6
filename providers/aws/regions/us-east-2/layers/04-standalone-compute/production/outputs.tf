output "instance_id" {
  description = "EC2 instance id of the analytics instance (SSM: aws ssm start-session --target <id>), or null when compute.analytics_enabled is false."
  value       = try(module.analytics[0].instance_id, null)
}

output "private_ip" {
  description = "Private IP of the analytics instance, or null when compute.analytics_enabled is false."
  value       = try(module.analytics[0].private_ip, null)
}

output "security_group_id" {
  description = "Security group of the analytics instance, or null when disabled."
  value       = try(module.analytics[0].security_group_id, null)
}
