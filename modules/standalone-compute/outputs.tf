output "instance_id" {
  description = "EC2 instance id of the analytics instance (SSM: aws ssm start-session --target <id>)."
  value       = module.instance.instance_id
}

output "private_ip" {
  description = "Private IP of the analytics instance."
  value       = module.instance.private_ip
}

output "security_group_id" {
  description = "Security group of the analytics instance (custom ports from the VPC CIDR)."
  value       = module.instance.security_group_id
}

output "iam_role_arn" {
  description = "IAM role of the analytics instance (attach further policies to it from outside)."
  value       = module.instance.iam_role_arn
}

output "data_volume_id" {
  description = "EBS data volume mounted on /data."
  value       = aws_ebs_volume.data.id
}

output "log_group_name" {
  description = "CloudWatch Logs group of the instance."
  value       = aws_cloudwatch_log_group.analytics.name
}

output "kms_key_arn" {
  description = "KMS key encrypting the volumes and the log group."
  value       = module.kms.key_arn
}
