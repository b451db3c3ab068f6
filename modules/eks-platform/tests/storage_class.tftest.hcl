# terraform test (mock providers, plan only): the module creates the default StorageClass the observability
# charts of layer 06 rely on. Run: cd modules/eks-platform && terraform init && terraform test

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
  tags                       = { Client = "acme-corp" }
}

run "default_storage_class_is_encrypted_gp3_through_the_csi_driver" {
  command = plan

  assert {
    condition     = kubernetes_storage_class_v1.default.metadata[0].annotations["storageclass.kubernetes.io/is-default-class"] == "true"
    error_message = "The class must be annotated as the cluster default."
  }
  assert {
    condition     = kubernetes_storage_class_v1.default.storage_provisioner == "ebs.csi.aws.com"
    error_message = "The class must use the EBS CSI driver (the in-tree provisioner is gone)."
  }
  assert {
    condition     = kubernetes_storage_class_v1.default.parameters["type"] == "gp3" && kubernetes_storage_class_v1.default.parameters["encrypted"] == "true"
    error_message = "Volumes must be encrypted gp3."
  }
  assert {
    condition     = kubernetes_storage_class_v1.default.volume_binding_mode == "WaitForFirstConsumer"
    error_message = "WaitForFirstConsumer: the volume is created in the AZ of the pod's node."
  }
  assert {
    condition     = contains(keys(aws_eks_addon.this), "aws-ebs-csi-driver")
    error_message = "The EBS CSI driver add-on must be installed with the class."
  }
  assert {
    condition     = output.default_storage_class_name == "gp3"
    error_message = "The output names the class."
  }
}

run "storage_class_name_must_be_a_dns_label" {
  command = plan

  variables {
    default_storage_class_name = "GP3_Default"
  }

  expect_failures = [var.default_storage_class_name]
}
