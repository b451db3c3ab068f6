"""``clientctl iac isolation``: each kind of cross-client leak planted in the fixture tree is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clientctl.iac.check import load_schemas
from clientctl.iac.isolation import check_isolation

FIXTURES = Path(__file__).parent / "fixtures"
L1 = "providers/aws/regions/us-east-2/layers/01-foundation/production"
L3 = "providers/aws/regions/us-east-2/layers/03-database/production"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "good", root)
    return root


def rules(root: Path) -> list[tuple[str, str | None, str]]:
    findings, checked = check_isolation([root / "modules", root / "providers"], root=root, schemas=load_schemas())
    assert checked > 0
    return [(f.rule, f.client, f.message) for f in findings]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_the_good_tree_is_isolated(tree: Path) -> None:
    assert rules(tree) == []


def test_s3_policy_on_another_prefix(tree: Path) -> None:
    edit(tree / L1 / "main.tf", "${local.client.names.observability_prefixes.metrics}*", "metrics/client=globex/*")
    found = rules(tree)
    assert ("iac.isolation.s3", "acme-corp") in {(r, c) for r, c, _ in found}
    assert ("iac.isolation.s3", "globex") not in {(r, c) for r, c, _ in found}


def test_s3_policy_bucket_wide_star(tree: Path) -> None:
    edit(tree / L1 / "main.tf", "/${local.client.names.observability_prefixes.logs}*", "/*")
    assert {r for r, _, _ in rules(tree)} == {"iac.isolation.s3"}


def test_list_bucket_without_prefix_condition(tree: Path) -> None:
    edit(tree / L1 / "main.tf", '      variable = "s3:prefix"', '      variable = "aws:SourceVpc"')
    assert {r for r, _, _ in rules(tree)} == {"iac.isolation.s3"}


def test_sg_rule_from_the_internet_on_5432(tree: Path) -> None:
    edit(tree / "modules/app_sg/main.tf", "  cidr_ipv4         = var.vpc_cidr", '  cidr_ipv4         = "0.0.0.0/0"')
    found = rules(tree)
    assert any(r == "iac.isolation.security-group" and "5432" in m for r, _, m in found)


def test_public_ingress_needs_the_marker(tree: Path) -> None:
    edit(
        tree / "modules/app_sg/main.tf",
        "# clientctl:public-ingress the public load balancer serves HTTPS to the internet\n",
        "",
    )
    assert any("marker" in m for r, _, m in rules(tree) if r == "iac.isolation.security-group")


def test_route53_record_in_the_parent_zone(tree: Path) -> None:
    edit(
        tree / L1 / "main.tf",
        "  zone_id = aws_route53_zone.client.zone_id",
        "  zone_id = data.aws_route53_zone.parent.zone_id",
    )
    found = rules(tree)
    assert {r for r, _, _ in found} == {"iac.isolation.route53"}
    assert "api." in found[0][2]


def test_resource_without_tags_where_the_provider_has_no_default_tags(tree: Path) -> None:
    edit(tree / L3 / "providers.tf", "  default_tags {\n    tags = local.client.tags\n  }\n", "")
    found = rules(tree)
    assert {(r, m.split(":")[0]) for r, _, m in found} == {("iac.isolation.tags", "aws_security_group.db")}


def test_unresolvable_is_unverifiable_unless_allowlisted(tree: Path) -> None:
    edit(tree / L1 / "main.tf", "${local.client.names.observability_prefixes.metrics}*", "${aws_s3_bucket.x.id}/*")
    assert {r for r, _, _ in rules(tree)} == {"iac.isolation.unverifiable"}
    edit(
        tree / L1 / "main.tf",
        'resource "aws_iam_role_policy" "metrics" {',
        '# clientctl:allow-unverifiable bucket ARN comes from the provider at apply time\nresource "aws_iam_role_policy" "metrics" {',
    )
    assert rules(tree) == []


def test_runs_on_the_repository_without_crashing() -> None:
    repo = Path(__file__).resolve().parents[2]
    check_isolation([repo / "modules", repo / "providers"], root=repo, schemas=load_schemas())


KEYED_POLICIES = """
data "aws_partition" "current" {}

locals {
  storage = {
    logs    = { bucket = var.settings.observability_buckets.logs, prefix = local.client.names.observability_prefixes.logs }
    metrics = { bucket = var.settings.observability_buckets.metrics, prefix = local.client.names.observability_prefixes.metrics }
  }
}

data "aws_iam_policy_document" "keyed" {
  for_each = local.storage
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${each.value.bucket}/${each.value.prefix}*"]
  }
}

resource "aws_iam_policy" "keyed" {
  for_each = local.storage
  name     = "keyed-${each.key}"
  policy   = data.aws_iam_policy_document.keyed[each.key].json
}

data "aws_iam_policy_document" "counted" {
  count = 1
  statement {
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::${var.settings.observability_buckets.traces}/${local.client.names.observability_prefixes.traces}*"]
  }
}

resource "aws_iam_policy" "counted" {
  count  = 1
  name   = "counted"
  policy = data.aws_iam_policy_document.counted[0].json
}

resource "aws_iam_policy" "from_file" {
  name   = "from-file"
  policy = file("${path.module}/policy.json")
}
"""

POLICY_FILE = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}'
)


def test_keyed_counted_and_file_policies_are_followed(tree: Path) -> None:
    """Policies reached through data.x[each.key].json, data.x[0].json, file() and the partition are evaluated,
    so a leak behind them is still found."""
    (tree / L1 / "policies.tf").write_text(KEYED_POLICIES)
    (tree / L1 / "policy.json").write_text(POLICY_FILE)
    assert rules(tree) == []
    edit(tree / L1 / "policies.tf", "${each.value.bucket}/${each.value.prefix}*", "${each.value.bucket}/*")
    found = {(r, c) for r, c, _ in rules(tree)}
    assert found == {("iac.isolation.s3", "acme-corp"), ("iac.isolation.s3", "globex")}  # every fixture client
    (tree / L1 / "policies.tf").write_text(KEYED_POLICIES)
    (tree / L1 / "policy.json").write_text(POLICY_FILE.replace("ec2:Describe*", "s3:*"))
    assert {r for r, _, _ in rules(tree)} == {"iac.isolation.s3"}
