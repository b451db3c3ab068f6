# terraform test (mock providers, plan only): every name of eks-platform comes from the rendered inputs
# (names.cluster, names.iam_roles.*, names.kms_aliases.eks, names.log_groups.eks_cluster, names.node_group), every
# tagged resource carries the input tags, and each variable validation refuses its bad value. Inputs are
# acme-corp's rendered values. Run: clientctl iac check --only test --path modules/eks-platform

mock_provider "aws" {}
mock_provider "kubernetes" {}

variables {
  cluster_name       = "acme-corp-production-us-east-2"
  kubernetes_version = "1.34"
  service_ipv4_cidr  = "172.20.0.0/16"
  kms_alias          = "alias/acme-corp-production-us-east-2-eks"
  log_group_name     = "/aws/eks/acme-corp-production-us-east-2/cluster"
  iam_role_names = {
    cluster        = "acme-corp-production-us-east-2-cluster"
    node           = "acme-corp-production-us-east-2-node"
    ebs_csi_driver = "acme-corp-production-us-east-2-ebs-csi-driver"
  }
  node_group = {
    name           = "acme-corp-production-nodes"
    instance_types = ["t3.medium"]
    min_size       = 2
    max_size       = 5
    desired_size   = 2
    disk_size      = 50
    capacity_type  = "ON_DEMAND"
  }
  node_subnet_ids            = ["subnet-0a", "subnet-0b"]
  control_plane_subnet_ids   = ["subnet-1a", "subnet-1b", "subnet-0a", "subnet-0b"]
  cluster_security_group_ids = ["sg-0123"]
  public_access_cidrs        = ["198.51.100.0/24"]
  tags                       = { Client = "acme-corp", Layer = "02-platform", ManagedBy = "clientctl" }
}

run "names_come_from_the_rendered_inputs" {
  command = plan

  assert {
    condition     = aws_eks_cluster.this.name == var.cluster_name && aws_eks_cluster.this.tags["Name"] == var.cluster_name
    error_message = "The cluster is named (name and Name tag) names.cluster."
  }
  assert {
    condition = (
      aws_iam_role.cluster.name == var.iam_role_names.cluster && aws_iam_role.cluster.tags["Name"] == var.iam_role_names.cluster &&
      aws_iam_role.node.name == var.iam_role_names.node && aws_iam_role.node.tags["Name"] == var.iam_role_names.node &&
      aws_iam_role.ebs_csi_driver.name == var.iam_role_names.ebs_csi_driver && aws_iam_role.ebs_csi_driver.tags["Name"] == var.iam_role_names.ebs_csi_driver
    )
    error_message = "The cluster, node and EBS CSI driver roles carry the rendered names.iam_roles values."
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == var.log_group_name && aws_cloudwatch_log_group.this.tags["Name"] == var.log_group_name
    error_message = "The control-plane log group is names.log_groups.eks_cluster."
  }
  assert {
    condition = (
      aws_eks_node_group.this.node_group_name == var.node_group.name && aws_eks_node_group.this.tags["Name"] == var.node_group.name &&
      aws_launch_template.node.name == var.node_group.name && aws_launch_template.node.tags["Name"] == var.node_group.name &&
      alltrue([for t in aws_launch_template.node.tag_specifications : t.tags["Name"] == var.node_group.name])
    )
    error_message = "The node group, its launch template and the instances/volumes it tags are named names.node_group."
  }
  assert {
    condition     = module.kms.alias_name == var.kms_alias
    error_message = "The secrets/log encryption key's alias is names.kms_aliases.eks."
  }
  assert {
    condition     = aws_iam_openid_connect_provider.this.tags["Name"] == var.cluster_name
    error_message = "The OIDC provider's Name tag is the cluster name."
  }
}

run "cluster_takes_the_rendered_network_and_sizes" {
  command = plan

  assert {
    condition = (
      aws_eks_cluster.this.version == var.kubernetes_version &&
      aws_eks_cluster.this.kubernetes_network_config[0].service_ipv4_cidr == var.service_ipv4_cidr &&
      toset(aws_eks_cluster.this.vpc_config[0].subnet_ids) == toset(var.control_plane_subnet_ids) &&
      toset(aws_eks_cluster.this.vpc_config[0].public_access_cidrs) == toset(var.public_access_cidrs)
    )
    error_message = "The cluster has the rendered version, service CIDR, control-plane subnets and management CIDRs."
  }
  assert {
    condition = (
      toset(aws_eks_node_group.this.subnet_ids) == toset(var.node_subnet_ids) &&
      aws_eks_node_group.this.scaling_config[0].min_size == var.node_group.min_size &&
      aws_eks_node_group.this.scaling_config[0].max_size == var.node_group.max_size &&
      aws_eks_node_group.this.scaling_config[0].desired_size == var.node_group.desired_size &&
      aws_eks_node_group.this.capacity_type == var.node_group.capacity_type &&
      aws_eks_node_group.this.instance_types == var.node_group.instance_types
    )
    error_message = "The node group has the rendered subnets, sizes, capacity type and instance types."
  }
}

run "every_resource_carries_the_input_tags" {
  command = plan

  assert {
    condition = alltrue([
      for t in [
        aws_cloudwatch_log_group.this.tags, aws_iam_role.cluster.tags, aws_eks_cluster.this.tags,
        aws_iam_openid_connect_provider.this.tags, aws_iam_role.node.tags, aws_launch_template.node.tags,
        aws_eks_node_group.this.tags, aws_iam_role.ebs_csi_driver.tags,
      ] : alltrue([for k, v in var.tags : lookup(t, k, null) == v])
    ])
    error_message = "Every tagged resource carries every input tag with its input value."
  }
}

################################################################################
# Variable validations
################################################################################

run "service_cidr_must_be_a_cidr" {
  command = plan

  variables {
    service_ipv4_cidr = "172.20.0.0"
  }

  expect_failures = [var.service_ipv4_cidr]
}

run "control_plane_needs_two_subnets" {
  command = plan

  variables {
    control_plane_subnet_ids = ["subnet-1a"]
  }

  expect_failures = [var.control_plane_subnet_ids]
}

run "nodes_need_a_subnet" {
  command = plan

  variables {
    node_subnet_ids = []
  }

  expect_failures = [var.node_subnet_ids]
}

run "public_endpoint_never_open_to_the_internet" {
  command = plan

  variables {
    public_access_cidrs = ["198.51.100.0/24", "0.0.0.0/0"]
  }

  expect_failures = [var.public_access_cidrs]
}

run "public_endpoint_needs_a_management_cidr" {
  command = plan

  variables {
    public_access_cidrs = []
  }

  expect_failures = [var.public_access_cidrs]
}

run "capacity_type_is_on_demand_or_spot" {
  command = plan

  variables {
    node_group = merge(var.node_group, { capacity_type = "RESERVED" })
  }

  expect_failures = [var.node_group]
}

run "desired_size_within_min_and_max" {
  command = plan

  variables {
    node_group = merge(var.node_group, { desired_size = 6 })
  }

  expect_failures = [var.node_group]
}

run "kms_alias_starts_with_alias" {
  command = plan

  variables {
    kms_alias = "acme-corp-production-us-east-2-eks"
  }

  expect_failures = [var.kms_alias]
}

run "log_retention_must_be_a_cloudwatch_value" {
  command = plan

  variables {
    log_retention_days = 42
  }

  expect_failures = [var.log_retention_days]
}

run "addon_versions_only_for_core_addons" {
  command = plan

  variables {
    addon_versions = { "metrics-server" = "v0.7.2-eksbuild.1" }
  }

  expect_failures = [var.addon_versions]
}
