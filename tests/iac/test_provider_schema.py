"""Tests for clientctl.iac.provider_schema against real HCL parsed by python-hcl2."""

from __future__ import annotations

import io
from typing import Any

import hcl2
import pytest

from clientctl.iac import provider_schema as ps

EKS_OK = """
resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "general"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.private_subnet_ids
  instance_types  = ["t3.medium"]
  labels          = { role = "general" }
  tags            = merge(local.tags, { Name = "general" })

  count      = var.enabled ? 1 : 0
  depends_on = [aws_iam_role_policy_attachment.node]
  provider   = aws.west

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
  taint {
    key    = "dedicated"
    value  = "general"
    effect = "NO_SCHEDULE"
  }
  update_config {
    max_unavailable = 1
  }
  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }
}
"""


def parse(text: str) -> dict[str, Any]:
    doc: dict[str, Any] = hcl2.load(io.StringIO(text))
    return doc


def check(text: str) -> ps.CheckResult:
    return ps.check_document(parse(text))


def codes(result: ps.CheckResult) -> set[tuple[str, str]]:
    return {(p.code, p.path) for p in result.problems}


def test_shipped_schemas_load() -> None:
    have = ps.available_schemas()
    assert {"aws", "helm", "kubernetes"} <= set(have)
    aws = ps.load_schema("aws")
    assert aws.source == "registry.terraform.io/hashicorp/aws"
    assert aws.version == have["aws"]
    assert ps.load_schema("aws") is aws  # cached
    assert len(aws.resources) > 1500 and len(aws.data_sources) > 600 and aws.ephemeral_resources
    assert ps.load_schema("helm").resource_block("helm_release") is not None
    assert ps.load_schema("kubernetes").resource_block("kubernetes_deployment_v1") is not None
    with pytest.raises(ps.SchemaNotFoundError):
        ps.load_schema("nosuchprovider")


def test_flatten_eks_node_group() -> None:
    block = ps.lookup_block("resource", "aws_eks_node_group")
    assert block is not None
    flat = ps.flatten_block(block)
    assert flat["node_role_arn"] == "required"
    assert flat["scaling_config"] == "required block(single)"
    assert flat["scaling_config.min_size"] == "required"
    assert flat["taint"] == "optional block(set)"  # TypeSet in the real schema (was "list" before sets were told apart)
    assert "arn" not in flat and ps.flatten_block(block, include_computed=True)["arn"] == "computed"


def test_known_resource_with_correct_arguments_passes() -> None:
    result = check(EKS_OK)
    assert result.problems == []
    assert result.skipped == []


def test_python_hcl2_shape_is_what_the_checker_expects() -> None:
    doc = parse(EKS_OK)
    (entry,) = doc["resource"]
    (type_label,) = entry
    assert ps.unquote(type_label) == "aws_eks_node_group"
    body = entry[type_label]['"this"'] if '"this"' in entry[type_label] else entry[type_label]["this"]
    assert isinstance(body["scaling_config"], list) and isinstance(body["scaling_config"][0], dict)
    assert isinstance(body["labels"], dict)


def test_unknown_argument_is_reported_with_suggestion() -> None:
    result = check(EKS_OK.replace("instance_types  =", "instance_type   ="))
    (problem,) = result.problems
    assert problem.code == "unknown-argument"
    assert problem.path == "aws_eks_node_group.this.instance_type"
    assert "instance_types" in problem.message


def test_unknown_nested_block_and_argument_in_block() -> None:
    text = EKS_OK.replace("  update_config {", "  scaling {\n    x = 1\n  }\n  update_config {\n    bogus = 1")
    assert codes(check(text)) == {
        ("unknown-block", "aws_eks_node_group.this.scaling"),
        ("unknown-argument", "aws_eks_node_group.this.update_config.bogus"),
    }


def test_missing_required_argument_is_reported() -> None:
    text = EKS_OK.replace("  node_role_arn   = aws_iam_role.node.arn\n", "")
    assert codes(check(text)) == {("missing-argument", "aws_eks_node_group.this.node_role_arn")}


def test_missing_required_block_is_reported() -> None:
    start = EKS_OK.index("  scaling_config {")
    end = EKS_OK.index("  taint {")
    result = check(EKS_OK[:start] + EKS_OK[end:])
    assert codes(result) == {("missing-block", "aws_eks_node_group.this.scaling_config")}


def test_missing_required_argument_inside_block() -> None:
    text = EKS_OK.replace("    min_size     = 1\n", "")
    assert codes(check(text)) == {("missing-argument", "aws_eks_node_group.this.scaling_config.min_size")}


def test_block_written_as_argument_and_single_block_twice() -> None:
    text = EKS_OK.replace(
        "  update_config {\n    max_unavailable = 1\n  }",
        "  update_config = { max_unavailable = 1 }\n  launch_template {\n    version = 1\n  }\n"
        "  launch_template {\n    version = 2\n  }",
    )
    assert codes(check(text)) == {
        ("block-as-argument", "aws_eks_node_group.this.update_config"),
        ("duplicate-block", "aws_eks_node_group.this.launch_template"),
    }


def test_computed_only_attribute_cannot_be_set() -> None:
    text = EKS_OK.replace("  subnet_ids ", '  arn = "x"\n  subnet_ids ')
    assert codes(check(text)) == {("computed-argument", "aws_eks_node_group.this.arn")}


def test_unknown_resource_type_is_reported() -> None:
    result = check('resource "aws_vpcc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    (problem,) = result.problems
    assert (problem.code, problem.path) == ("unknown-type", "aws_vpcc.main")
    assert "aws_vpc" in problem.message


def test_unknown_data_source_and_ephemeral_types() -> None:
    text = (
        'data "aws_caller_identity" "me" {}\n'
        'data "aws_calller_identity" "typo" {}\n'
        'ephemeral "aws_secretsmanager_secret_version" "db" {\n  secret_id = "x"\n}\n'
        'ephemeral "aws_nope" "x" {}\n'
    )
    assert codes(check(text)) == {
        ("unknown-type", "data.aws_calller_identity.typo"),
        ("unknown-type", "ephemeral.aws_nope.x"),
    }


DYNAMIC = """
resource "aws_eks_node_group" "this" {
  cluster_name  = "c"
  node_role_arn = "r"
  subnet_ids    = ["s"]
  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }
  dynamic "taint" {
    for_each = var.taints
    iterator = t
    content {
      key    = t.value.key
      effect = t.value.effect
      CONTENT_EXTRA
    }
  }
}
"""


def test_dynamic_block_content_is_checked() -> None:
    assert check(DYNAMIC.replace("CONTENT_EXTRA", "")).problems == []
    result = check(DYNAMIC.replace("CONTENT_EXTRA", "colour = 1").replace("      effect = t.value.effect\n", ""))
    assert codes(result) == {
        ("unknown-argument", "aws_eks_node_group.this.dynamic.taint.content.colour"),
        ("missing-argument", "aws_eks_node_group.this.dynamic.taint.content.effect"),
    }


def test_dynamic_block_of_unknown_type_and_dynamic_for_required_block() -> None:
    text = DYNAMIC.replace("CONTENT_EXTRA", "").replace('dynamic "taint"', 'dynamic "taints"')
    assert codes(check(text)) == {("unknown-block", "aws_eks_node_group.this.dynamic.taints")}
    # A required block provided only through dynamic counts as present.
    start = DYNAMIC.index("  scaling_config {")
    end = DYNAMIC.index("  dynamic")
    text = DYNAMIC[:start] + DYNAMIC[end:].replace('"taint"', '"scaling_config"').replace(
        "key    = t.value.key\n      effect = t.value.effect\n      CONTENT_EXTRA",
        "desired_size = 1\n      max_size = 1\n      min_size = 1",
    )
    assert check(text).problems == []


def test_opaque_block_is_skipped_and_reported() -> None:
    text = """
resource "aws_wafv2_web_acl" "waf" {
  name  = "waf"
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  visibility_config {
    cloudwatch_metrics_enabled = false
    metric_name                = "waf"
    sampled_requests_enabled   = false
  }
  rule {
    name     = "rate"
    priority = 1
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 100
        aggregate_key_type = "IP"
      }
      anything_at_all = true
    }
    visibility_config {
      cloudwatch_metrics_enabled = false
      metric_name                = "rate"
      sampled_requests_enabled   = false
    }
  }
}
"""
    result = check(text)
    assert result.problems == []
    assert result.skipped == ["aws_wafv2_web_acl.waf.rule.statement (opaque block)"]


def test_recursive_block_is_checked_through_recursive_ref() -> None:
    text = """
resource "aws_wafv2_web_acl_rule" "r" {
  name         = "r"
  priority     = 1
  web_acl_arn  = "arn"
  statement {
    not_statement {
      statement {
        geo_match_statement {
          country_codes = ["US"]
        }
        bogus_statement {}
      }
    }
  }
  visibility_config {
    cloudwatch_metrics_enabled = false
    metric_name                = "r"
    sampled_requests_enabled   = false
  }
}
"""
    flat = ps.flatten_block(ps.lookup_block("resource", "aws_wafv2_web_acl_rule") or {})
    assert flat.get("statement.not_statement.statement.*") == "recursive -> statement"
    result = check(text)
    assert ("unknown-block", "aws_wafv2_web_acl_rule.r.statement.not_statement.statement.bogus_statement") in codes(
        result
    )


def test_meta_arguments_provisioner_and_connection_allowed() -> None:
    text = EKS_OK.replace(
        "  lifecycle {",
        '  provisioner "local-exec" {\n    command = "echo hi"\n  }\n'
        '  connection {\n    host = "h"\n  }\n  for_each = {}\n  lifecycle {',
    )
    assert check(text).problems == []


def test_nested_attributes_helm_and_attributes_as_blocks() -> None:
    text = """
provider "helm" {
  kubernetes = {
    host = "https://k"
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token"]
    }
  }
}
resource "helm_release" "lb" {
  name       = "aws-load-balancer-controller"
  chart      = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  set = [
    { name = "clusterName", value = "c" },
    { name = "region", valu = "eu-west-1" },
  ]
}
resource "aws_security_group" "sg" {
  vpc_id = "v"
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
"""
    assert codes(check(text)) == {("unknown-argument", "helm_release.lb.set[1].valu")}


def test_provider_block_and_builtin_and_foreign_types() -> None:
    text = """
provider "aws" {
  region = "eu-west-1"
  alias  = "west"
  default_tags {
    tags = { Owner = "clientctl" }
  }
  regoin = "x"
}
data "terraform_remote_state" "net" {
  backend = "s3"
  config  = { bucket = "b", key = "k" }
}
resource "terraform_data" "marker" {
  input = 1
}
resource "random_id" "suffix" {
  byte_length = 4
}
resource "tls_private_key" "key" {
  algorithm = "ED25519"
}
"""
    result = check(text)
    assert codes(result) == {("unknown-argument", "provider.aws.regoin")}
    # hashicorp/random has a committed schema (checked); hashicorp/tls has none (skipped, listed).
    assert len(result.skipped) == 1 and result.skipped[0].startswith("tls_private_key.key (")


def test_check_resource_api_direct() -> None:
    body = {"cidr_block": '"10.0.0.0/16"', "tags": {"Name": '"x"'}}
    assert ps.check_resource("resource", "aws_vpc", body, name="main").ok
    result = ps.check_resource("resource", "aws_subnet", body, name="a")
    assert codes(result) == {("missing-argument", "aws_subnet.a.vpc_id")}
