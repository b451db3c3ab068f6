"""The rule catalogue (clientctl/rules): every declared rule is planted here, once per level it reports at,
on a copy of the sample registry that breaks no rule, and docs/ipam.md lists exactly the declared rules.

Each case changes one line and expects its rule at its level; the unchanged copy has no finding at all
(``test_the_sample_breaks_no_rule``), so a rule that fires here fires because of the planted fault.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from clientctl.errors import ConfigError, Finding
from clientctl.ipam.ledger import load_ledger
from clientctl.rules import RULES, check_registry, load_registry
from tests.helpers import ACME, edit

TODAY = dt.date(2026, 12, 3)
GLOBEX = "clients/globex.yaml"
PLATFORM = "platform.yaml"
DOC = Path(__file__).resolve().parents[2] / "docs" / "ipam.md"

# (rule, level, file, old text, new text): one planted fault each (a tuple of texts: edits made together).
CASES: list[tuple[str, str, str, str | tuple[str, ...], str | tuple[str, ...]]] = [
    ("registry.tier", "error", ACME, "tier: standard", "tier: gold"),
    ("registry.region", "error", ACME, "region: us-east-2", "region: eu-west-9"),
    ("registry.environment", "error", ACME, "environment: production", "environment: staging"),
    ("registry.client-code-duplicate", "error", GLOBEX, "client_code: GLOBEX", "client_code: ACME"),
    ("naming.limit", "error", PLATFORM, "project: ohio-01", "project: " + "p" * 32),
    ("eks.sizing", "error", ACME, "desired_size: 2", "desired_size: 9"),
    ("security.port-duplicate", "error", ACME, "custom_ports: [8080, 9090]", "custom_ports: [8080, 5432]"),
    ("security.database-port", "error", ACME, "database_ports: [5432, 5433]", "database_ports: []"),
    ("ipam.format", "error", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.100.0.1/16"),
    ("ipam.format", "error", PLATFORM, "cidr: 10.64.0.0/10", "cidr: 10.64.0.1/10"),
    ("ipam.vpc-size", "error", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.96.0.0/12"),
    ("ipam.vpc-size", "warning", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.100.0.0/17"),
    ("ipam.forbidden-range", "error", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 127.100.0.0/16"),
    ("ipam.forbidden-range", "error", PLATFORM, "cidr: 10.64.0.0/10", "cidr: 169.254.0.0/16"),
    ("ipam.reserved-range", "error", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.127.0.0/16"),
    ("ipam.pool", "error", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.20.0.0/16"),
    ("ipam.cidr-offset", "error", ACME, "cidr_offset: 100", "cidr_offset: 7"),
    ("ipam.subnet-layout", "error", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.100.0.0/28"),
    ("ipam.subnet-layout", "error", PLATFORM, ("az_count: 2 ", "max_azs: 6 "), ("az_count: 3 ", "max_azs: 2 ")),
    ("ipam.subnet-size", "warning", ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.100.0.0/20"),
    ("ipam.vpc-cidr-move", "warning", ACME, "vpc_cidr: 10.100.0.0/16\n  cidr_offset: 100", "vpc_cidr: 10.105.0.0/16"),
    ("ipam.az-count", "error", GLOBEX, "az_count: 3", "az_count: 4"),
    (
        "eks.az-id",
        "error",
        PLATFORM,
        "availability_zones: [us-east-2a, us-east-2b, us-east-2c]",
        "availability_zones: [us-east-2a, us-east-2b, us-east-2c]\n    availability_zone_ids: {us-east-2a: use1-az3}",
    ),
    ("ipam.duplicate", "error", GLOBEX, "vpc_cidr: 10.101.0.0/16", "vpc_cidr: 10.100.0.0/16"),
    ("ipam.overlap", "error", GLOBEX, "vpc_cidr: 10.101.0.0/16", "vpc_cidr: 10.100.0.0/17"),
    ("vpn.required", "error", ACME, "  tunnel2_inside_cidr: 169.254.11.0/30\n", ""),
    ("vpn.customer-gateway-ip", "error", ACME, "customer_gateway_ip: 198.51.99.10", "customer_gateway_ip: 10.0.0.1"),
    ("vpn.bgp-asn", "error", ACME, "bgp_asn: 65001", "bgp_asn: 23456"),
    ("vpn.bgp-asn", "warning", ACME, "bgp_asn: 65001", "bgp_asn: 4200000001"),
    ("vpn.amazon-side-asn", "error", ACME, "amazon_side_asn: 64512", "amazon_side_asn: 100"),
    ("vpn.asn-conflict", "error", ACME, "bgp_asn: 65001", "bgp_asn: 64512"),
    ("vpn.tunnel-cidr", "error", ACME, "tunnel1_inside_cidr: 169.254.10.0/30", "tunnel1_inside_cidr: 169.254.1.0/30"),
    (
        "vpn.tunnel-duplicate",
        "error",
        ACME,
        "tunnel2_inside_cidr: 169.254.11.0/30",
        "tunnel2_inside_cidr: 169.254.10.0/30",
    ),
    ("vpn.local-network", "error", ACME, "local_network_cidr: 192.168.0.0/24", "local_network_cidr: 10.100.0.0/24"),
    ("ipam.pool-size", "error", PLATFORM, "cidr: 10.64.0.0/10", "cidr: 10.64.0.0/20"),
    (
        "ipam.pool-overlap",
        "error",
        PLATFORM,
        "  reserved:\n",
        "    - name: second\n      cidr: 10.96.0.0/11\n  reserved:\n",
    ),
    (
        "platform.unknown-region",
        "error",
        PLATFORM,
        "      description: Client VPCs",
        "      regions: [eu-west-9]\n      description: Client VPCs",
    ),
    (
        "platform.management-cidrs-open",
        "error",
        PLATFORM,
        "management_cidrs: [203.0.113.0/24]",
        "management_cidrs: [0.0.0.0/0]",
    ),
    (
        "platform.management-cidrs-too-wide",
        "error",
        PLATFORM,
        "management_cidrs: [203.0.113.0/24]",
        "management_cidrs: [10.0.0.0/8]",
    ),
    ("ipam.eks-service-cidr", "error", PLATFORM, "eks_service_cidr: 172.20.0.0/16", "eks_service_cidr: 8.8.0.0/16"),
    ("platform.azs", "error", PLATFORM, "az_count: 2 ", "az_count: 4 "),
    ("platform.kubernetes-version", "error", PLATFORM, 'kubernetes: "1.35"', 'kubernetes: "1.36"'),
]


def findings(repo: Path) -> list[Finding]:
    """Every finding of the rules on ``repo``: platform rules (which refuse the load) or client rules."""
    try:
        registry = load_registry(repo)
    except ConfigError as exc:
        return list(exc.findings)
    return check_registry(registry, load_ledger(registry.ledger_path, registry.ledger_path.name), TODAY)


def test_the_sample_breaks_no_rule(repo: Path) -> None:
    assert findings(repo) == []


@pytest.mark.parametrize(("rule", "level", "file", "old", "new"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_each_rule_catches_its_planted_fault(
    repo: Path, rule: str, level: str, file: str, old: str | tuple[str, ...], new: str | tuple[str, ...]
) -> None:
    for before, after in zip(
        (old,) if isinstance(old, str) else old, (new,) if isinstance(new, str) else new, strict=True
    ):
        edit(repo, file, before, after)
    found = findings(repo)
    hits = [f for f in found if f.rule == rule and f.level == level]
    assert hits, [f.render() for f in found]
    for hit in hits:  # where (file, line, field), what, and the value or what to do
        assert hit.file and hit.line is not None and hit.field, hit.render()
        assert hit.message and (hit.hint or hit.value), hit.render()


def test_every_declared_rule_and_level_is_planted() -> None:
    planted = {(rule, level) for rule, level, *_ in CASES}
    declared = {(rule.id, level) for rule in RULES.values() for level in rule.levels}
    assert declared - planted == set(), "declared rules without a planted fault"
    assert planted - declared == set(), "planted faults of rules that are not declared"


LEVELS = {("error",): "E", ("warning",): "W", ("error", "warning"): "E / W"}


def test_docs_list_every_rule_with_its_level_summary_and_source() -> None:
    rows = {}
    for line in DOC.read_text().splitlines():
        match = re.fullmatch(r"\| `([a-z]+\.[a-z0-9-]+)` \| ([^|]+) \| ([^|]+) \| (.+) \|", line)
        if match:
            rows[match[1]] = (match[2].strip(), match[3].strip(), match[4].strip())
    expected = {r.id: (LEVELS[r.levels], r.summary, r.source) for r in RULES.values()}
    missing = "\n".join(
        f"| `{rid}` | {level} | {summary} | {source} |"
        for rid, (level, summary, source) in expected.items()
        if rows.get(rid) != (level, summary, source)
    )
    assert not missing, f"docs/ipam.md's rule table should have these rows:\n{missing}"
    assert set(rows) == set(expected), f"docs/ipam.md lists undeclared rules: {set(rows) - set(expected)}"
