output "instance_id" {
  description = "EC2 instance id (SSM: aws ssm start-session --target <id>)."
  value       = aws_instance.this.id
}

output "private_ip" {
  description = "Private IP of the instance."
  value       = aws_instance.this.private_ip
}

output "ami_id" {
  description = "Debian 13 AMI the instance was created from (later AMIs are ignored until a deliberate replace)."
  value       = data.aws_ami.debian.id
}

output "iam_role_name" {
  description = "Name of the IAM role created here (attach further policies to it), or null when a profile was given."
  value       = try(aws_iam_role.this[0].name, null)
}

output "iam_role_arn" {
  description = "ARN of the IAM role created here, or null when a profile was given."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "instance_profile_name" {
  description = "Instance profile of the instance (created here or given); pass it to further instances sharing the role."
  value       = local.create_iam_role ? aws_iam_instance_profile.this[0].name : var.iam_instance_profile
}

output "security_group_id" {
  description = "Security group created here (add ingress and further egress rules to it), or null when none was created."
  value       = try(aws_security_group.this[0].id, null)
}
