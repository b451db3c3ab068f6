output "master_instance_id" {
  description = "EC2 instance id of the PostgreSQL master."
  value       = module.master.instance_id
}

output "master_private_ip" {
  description = "Private IP of the PostgreSQL master."
  value       = module.master.private_ip
}

output "replica_instance_id" {
  description = "EC2 instance id of the streaming replica, or null without replica."
  value       = try(module.replica[0].instance_id, null)
}

output "replica_private_ip" {
  description = "Private IP of the streaming replica, or null without replica."
  value       = try(module.replica[0].private_ip, null)
}

output "security_group_id" {
  description = "Security group of the PostgreSQL instances (database ports from the VPC CIDR)."
  value       = module.master.security_group_id
}

output "superuser_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the postgres superuser password (ARN only, never the value)."
  value       = aws_secretsmanager_secret.this["superuser"].arn
}

output "replication_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the replicator password (ARN only, never the value)."
  value       = aws_secretsmanager_secret.this["replication"].arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the volumes, secrets and log group."
  value       = module.kms.key_arn
}

output "iam_role_arn" {
  description = "IAM role of the PostgreSQL instances."
  value       = module.master.iam_role_arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of PostgreSQL and cloud-init."
  value       = aws_cloudwatch_log_group.postgres.name
}

output "dlm_policy_id" {
  description = "Id of the DLM policy taking the daily volume snapshots."
  value       = aws_dlm_lifecycle_policy.snapshots.id
}

output "ami_id" {
  description = "Debian 13 AMI the instances were created from (later AMIs are ignored until a deliberate replace)."
  value       = module.master.ami_id
}

output "connection" {
  description = "Non-secret connection information: host, replica host, port, superuser name, secret ARNs."
  value = {
    host                   = module.master.private_ip
    replica_host           = try(module.replica[0].private_ip, null)
    port                   = var.port
    engine_version         = var.engine_version
    username               = "postgres"
    sslmode                = "require"
    superuser_secret_arn   = aws_secretsmanager_secret.this["superuser"].arn
    replication_secret_arn = aws_secretsmanager_secret.this["replication"].arn
  }
}
