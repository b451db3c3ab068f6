output "client_databases" {
  description = "Non-secret connection information keyed by client name (runbook: terraform output -json client_databases | jq '.[\"<client>\"]'); empty when the client has no database. Passwords: the secret ARNs, never the values."
  # A for expression, not a conditional: {} and a one-key object are different types.
  value = {
    for name in local.database_clients : name => {
      master_instance_id     = module.postgres[0].master_instance_id
      master_private_ip      = module.postgres[0].master_private_ip
      replica_instance_id    = module.postgres[0].replica_instance_id
      replica_private_ip     = module.postgres[0].replica_private_ip
      port                   = module.postgres[0].connection.port
      engine_version         = module.postgres[0].connection.engine_version
      username               = module.postgres[0].connection.username
      sslmode                = module.postgres[0].connection.sslmode
      security_group_id      = module.postgres[0].security_group_id
      superuser_secret_arn   = module.postgres[0].superuser_secret_arn
      replication_secret_arn = module.postgres[0].replication_secret_arn
    }
  }
}

output "master_instance_id" {
  description = "EC2 instance id of the PostgreSQL master (SSM: aws ssm start-session --target <id>), or null."
  value       = try(module.postgres[0].master_instance_id, null)
}

output "master_private_ip" {
  description = "Private IP of the PostgreSQL master, or null."
  value       = try(module.postgres[0].master_private_ip, null)
}

output "replica_instance_id" {
  description = "EC2 instance id of the streaming replica, or null."
  value       = try(module.postgres[0].replica_instance_id, null)
}

output "replica_private_ip" {
  description = "Private IP of the streaming replica, or null."
  value       = try(module.postgres[0].replica_private_ip, null)
}

output "security_group_id" {
  description = "Security group of the PostgreSQL instances, or null."
  value       = try(module.postgres[0].security_group_id, null)
}

output "superuser_secret_arn" {
  description = "ARN of the postgres superuser password secret (not the value), or null."
  value       = try(module.postgres[0].superuser_secret_arn, null)
}

output "replication_secret_arn" {
  description = "ARN of the replicator password secret (not the value), or null."
  value       = try(module.postgres[0].replication_secret_arn, null)
}
