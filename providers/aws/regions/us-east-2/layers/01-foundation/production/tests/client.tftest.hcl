# terraform test (mock provider, plan only) of layer 01 for the rendered client acme-corp (clientctl iac check
# runs layer roots in the workspace of their first rendered client; clients.auto.tfvars.json is loaded as for
# plan). Run by hand in a copy of this folder:
#   terraform init -backend=false && TF_WORKSPACE=acme-corp terraform test
#
# What a root test can see of module.vpc is its outputs: the CIDR and AZ keys here; the per-subnet CIDRs and
# names are asserted on the module itself (modules/client-vpc/tests/plan.tftest.hcl).

# IDs known at plan (instead of unknown), so the outputs keyed by AZ can be compared with the rendered entry.
mock_provider "aws" {
  override_during = plan

  mock_resource "aws_vpc" {
    defaults = { id = "vpc-0123456789abcdef0" }
  }
  mock_resource "aws_subnet" {
    defaults = { id = "subnet-0123456789abcdef0" }
  }
  mock_resource "aws_nat_gateway" {
    defaults = { id = "nat-0123456789abcdef0" }
  }
}

run "acme_corp_network_is_its_rendered_entry" {
  command = plan

  assert {
    condition     = terraform.workspace == "acme-corp" && length(module.vpc) == 1
    error_message = "Run in the acme-corp workspace (enabled client): one VPC module."
  }
  assert {
    condition     = output.vpc_cidr == var.clients["acme-corp"].network.vpc_cidr && output.vpc_cidr == "10.100.0.0/16"
    error_message = "The VPC CIDR is acme-corp's rendered network.vpc_cidr."
  }
  assert {
    condition = (
      sort(keys(output.public_subnet_ids)) == sort(keys(var.clients["acme-corp"].network.subnets.public)) &&
      sort(keys(output.private_subnet_ids)) == sort(keys(var.clients["acme-corp"].network.subnets.private)) &&
      sort(keys(output.eks_subnet_ids)) == sort(keys(var.clients["acme-corp"].network.subnets.eks)) &&
      sort(keys(output.public_subnet_ids)) == tolist(["us-east-2a", "us-east-2b"])
    )
    error_message = "One subnet per rendered AZ in each tier (us-east-2a and us-east-2b), no more, no less."
  }
  assert {
    condition     = sort(keys(output.nat_gateway_ids)) == sort(var.clients["acme-corp"].network.nat_gateway_azs) && length(output.nat_gateway_ids) == 1
    error_message = "NAT gateways exactly in the rendered nat_gateway_azs (standard tier: one)."
  }
  assert {
    condition     = output.flow_logs_log_group_name == var.clients["acme-corp"].names.log_groups["vpc_flow_logs"]
    error_message = "The flow-log group has the rendered name."
  }
}

run "disabled_client_has_zero_resources" {
  command = plan

  variables {
    # The rendered clients, acme-corp (the workspace) with enabled = false.
    clients = merge(jsondecode(file("clients.auto.tfvars.json")).clients, {
      "acme-corp" = merge(jsondecode(file("clients.auto.tfvars.json")).clients["acme-corp"], { enabled = false })
    })
  }

  # Every block of this root that can create or read something; terraform_data.workspace_guard (no
  # infrastructure, present for every known client) is the only resource left.
  assert {
    condition     = length(module.vpc) == 0
    error_message = "A disabled client (enabled = false) gets no VPC module, hence no resource."
  }
  assert {
    condition     = output.vpc_id == null && output.public_subnet_ids == null && output.nat_gateway_ids == null
    error_message = "A disabled client exports no network."
  }
}
