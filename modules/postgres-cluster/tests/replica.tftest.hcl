# terraform test (plan only): the streaming replica (instance, volumes, attachments, alarms) exists only when
# replica_enabled, in the second AZ; every variable validation refuses its bad value. Inputs are what layer
# 03-database renders for acme-corp. aws and random are not mocked: Terraform 1.15's mock providers do not
# support ephemeral resources (ephemeral "random_password" here), so the clientctl stand-ins answer
# (clientctl iac check sets CLIENTCTL_STANDIN_MOCK=1: the aws stand-in configures without an endpoint and
# nothing is called). Run: clientctl iac check --only test --path modules/postgres-cluster

variables {
  name_prefix         = "acme-corp-production"
  resource_prefix     = "acme-corp-production-postgres"
  security_group_name = "acme-corp-production-postgres"
  kms_alias_name      = "alias/acme-corp-production-postgres"
  dlm_iam_role_name   = "acme-corp-production-postgres-dlm"
  snapshot_target_tag = "acme-corp-production-postgres"
  iam_role_name       = "acme-corp-production-postgres"
  log_group_name      = "/clientctl/acme-corp-production/postgres"
  secret_names = {
    superuser   = "ohio-01/production/acme-corp/postgres-superuser"
    replication = "ohio-01/production/acme-corp/postgres-replication"
  }
  vpc_id                        = "vpc-0123456789abcdef0"
  vpc_cidr                      = "10.100.0.0/16"
  master_placement              = { availability_zone = "us-east-2a", subnet_id = "subnet-0aaaaaaaaaaaaaaaa" }
  replica_placement             = { availability_zone = "us-east-2b", subnet_id = "subnet-0bbbbbbbbbbbbbbbb" }
  additional_security_group_ids = ["sg-0123456789abcdef0"]
  database_ports                = [5432, 5433]
  port                          = 5432
  engine_version                = "17"
  instance_type                 = "r6i.large"
  data_volume_size              = 100
  wal_volume_size               = 50
  backup_volume_size            = 200
  backup_retention_days         = 14
  replica_enabled               = true
  tags                          = { Client = "acme-corp", Layer = "03-database" }
}

run "replica_enabled_creates_the_replica_in_the_second_az" {
  command = plan

  assert {
    condition     = length(module.replica) == 1
    error_message = "replica_enabled = true: one replica instance."
  }
  assert {
    condition = (
      sort([for k, v in aws_ebs_volume.this : k if startswith(k, "replica-")]) == tolist(["replica-backup", "replica-data", "replica-wal"]) &&
      alltrue([for k, v in aws_ebs_volume.this : v.availability_zone == "us-east-2b" if startswith(k, "replica-")]) &&
      alltrue([for k, v in aws_ebs_volume.this : v.availability_zone == "us-east-2a" if startswith(k, "master-")])
    )
    error_message = "The replica gets its data, WAL and backup volumes, in the replica's AZ (the master's stay in the master's AZ)."
  }
  assert {
    condition     = length([for k in keys(aws_volume_attachment.this) : k if startswith(k, "replica-")]) == 3
    error_message = "The replica's three volumes are attached."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.replication_lag) == 1 && length(aws_cloudwatch_metric_alarm.replication_streaming) == 1
    error_message = "The replica's replication-lag and streaming alarms exist."
  }
  assert {
    condition     = length([for k in keys(aws_cloudwatch_metric_alarm.disk) : k if startswith(k, "replica-")]) == 4
    error_message = "The replica's four filesystems (root, data, WAL, backup) have disk alarms."
  }
}

run "replica_disabled_creates_no_replica_resource" {
  command = plan

  variables {
    replica_enabled   = false
    replica_placement = null
  }

  assert {
    condition     = length(module.replica) == 0
    error_message = "replica_enabled = false: no replica instance."
  }
  assert {
    condition = (
      length([for k in keys(aws_ebs_volume.this) : k if !startswith(k, "master-")]) == 0 &&
      length([for k in keys(aws_volume_attachment.this) : k if !startswith(k, "master-")]) == 0 &&
      length([for k in keys(aws_cloudwatch_metric_alarm.disk) : k if !startswith(k, "master-")]) == 0
    )
    error_message = "replica_enabled = false: volumes, attachments and disk alarms of the master only."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.replication_lag) == 0 && length(aws_cloudwatch_metric_alarm.replication_streaming) == 0
    error_message = "replica_enabled = false: no replication alarms."
  }
  assert {
    condition     = length(aws_ebs_volume.this) == 3 && length(aws_cloudwatch_metric_alarm.disk) == 4
    error_message = "The master keeps its three volumes and four disk alarms."
  }
}

run "replica_placement_is_ignored_when_disabled" {
  command = plan

  variables {
    replica_enabled = false
  }

  assert {
    condition     = length(module.replica) == 0 && length(aws_ebs_volume.this) == 3
    error_message = "A placement without replica_enabled creates no replica."
  }
}

################################################################################
# Variable validations
################################################################################

run "enabled_replica_needs_a_placement" {
  command = plan

  variables {
    replica_placement = null
  }

  expect_failures = [var.replica_placement]
}

run "replica_must_be_in_another_az_than_the_master" {
  command = plan

  variables {
    replica_placement = { availability_zone = "us-east-2a", subnet_id = "subnet-0bbbbbbbbbbbbbbbb" }
  }

  expect_failures = [var.replica_placement]
}

run "vpc_cidr_must_be_a_cidr" {
  command = plan

  variables {
    vpc_cidr = "10.100.0.0"
  }

  expect_failures = [var.vpc_cidr]
}

run "database_ports_must_not_be_empty" {
  command = plan

  variables {
    database_ports = []
  }

  expect_failures = [var.database_ports]
}

run "database_ports_must_be_tcp_ports" {
  command = plan

  variables {
    database_ports = [5432, 70000]
  }

  expect_failures = [var.database_ports]
}

run "engine_version_must_be_a_major_version" {
  command = plan

  variables {
    engine_version = "17.2"
  }

  expect_failures = [var.engine_version]
}

run "graviton_instance_type_is_refused" {
  command = plan

  variables {
    instance_type = "r7g.large"
  }

  expect_failures = [var.instance_type]
}

run "non_memory_optimised_instance_type_is_refused" {
  command = plan

  variables {
    instance_type = "t3.large"
  }

  expect_failures = [var.instance_type]
}

run "backup_retention_below_7_days_is_refused" {
  command = plan

  variables {
    backup_retention_days = 6
  }

  expect_failures = [var.backup_retention_days]
}

run "backup_retention_above_35_days_is_refused" {
  command = plan

  variables {
    backup_retention_days = 36
  }

  expect_failures = [var.backup_retention_days]
}
