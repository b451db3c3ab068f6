"""Every bad input of issue #2: a clear error (file, field, value, rule, hint), exit 1 or 2, no
traceback, and no file changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import ACME, Runner, assert_clean_failure, edit, snapshot

CASES: list[tuple[str, Callable[[Path], object], int, tuple[str, ...]]] = [
    (
        "malformed yaml",
        lambda r: (r / ACME).write_text("name: acme-corp\nnetwork: [unclosed\n"),
        2,
        (ACME, "invalid YAML"),
    ),
    (
        "not a mapping",
        lambda r: (r / ACME).write_text("- a\n- b\n"),
        2,
        (ACME, "expected a YAML mapping", "found list"),
    ),
    ("empty file", lambda r: (r / ACME).write_text("\n"), 2, (ACME, "empty")),
    (
        "wrong type",
        lambda r: edit(r, ACME, "min_size: 2", 'min_size: "2"'),
        2,
        (f"{ACME}:18", "eks.min_size", "schema.int_type", "whole number"),
    ),
    (
        "unknown key with suggestion",
        lambda r: edit(r, ACME, "  instance_types: [t3.medium]", "  instance_type: [t3.medium]"),
        2,
        (ACME, "unknown key 'instance_type'", "did you mean 'instance_types'"),
    ),
    (
        "duplicate key",
        lambda r: edit(r, ACME, "tier: standard", "tier: standard\ntier: premium"),
        2,
        (ACME, "duplicate key 'tier'"),
    ),
    (
        "file name differs from name",
        lambda r: edit(r, ACME, "name: acme-corp", "name: acme-inc"),
        2,
        (ACME, "registry.file-name", "acme-inc", "rename the file"),
    ),
    (
        "duplicate client_code",
        lambda r: edit(r, "clients/globex.yaml", "client_code: GLOBEX", "client_code: ACME"),
        1,
        ("registry.client-code-duplicate", "acme-corp", "globex"),
    ),
    (
        "host bits",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.100.0.1/16"),
        1,
        (f"{ACME}:10", "ipam.format", "host bits", "10.100.0.0/16"),
    ),
    (
        "leading zeros",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.0100.0.0/16"),
        1,
        ("ipam.format", "leading zero"),
    ),
    (
        "too large vpc",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.96.0.0/12"),
        1,
        ("ipam.vpc-size", "/16 to /28"),
    ),
    (
        "link-local vpc",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 169.254.0.0/16"),
        1,
        ("ipam.forbidden-range", "link-local"),
    ),
    (
        "docker range",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 172.17.0.0/16"),
        1,
        ("ipam.reserved-range", "172.17.0.0/16"),
    ),
    (
        "eks service range",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 172.20.0.0/16"),
        1,
        ("ipam.reserved-range", "EKS service CIDR"),
    ),
    (
        "configured reserved range",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.127.0.0/16"),
        1,
        ("ipam.reserved-range", "shared services"),
    ),
    (
        "outside every pool",
        lambda r: edit(r, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.10.0.0/16"),
        1,
        ("ipam.pool", "not inside any pool"),
    ),
    (
        "duplicate cidr",
        lambda r: edit(r, "clients/globex.yaml", "vpc_cidr: 10.101.0.0/16", "vpc_cidr: 10.100.0.0/16"),
        1,
        ("ipam.duplicate", "client 'acme-corp' VPC", "client 'globex' VPC"),
    ),
    (
        "contained cidr",
        lambda r: edit(r, "clients/globex.yaml", "vpc_cidr: 10.101.0.0/16", "vpc_cidr: 10.100.64.0/18"),
        1,
        ("ipam.overlap", "10.100.0.0/16", "10.100.64.0/18"),
    ),
    (
        "cidr_offset mismatch",
        lambda r: edit(r, ACME, "cidr_offset: 100", "cidr_offset: 7"),
        1,
        ("ipam.cidr-offset", "derived offset 100"),
    ),
    (
        "private customer gateway",
        lambda r: edit(r, ACME, "customer_gateway_ip: 198.51.99.10", "customer_gateway_ip: 192.168.1.1"),
        1,
        ("vpn.customer-gateway-ip", "globally routable", "RFC 1918"),
    ),
    (
        "reserved bgp asn",
        lambda r: edit(r, ACME, "bgp_asn: 65001", "bgp_asn: 7224"),
        1,
        ("vpn.bgp-asn", "reserved by AWS"),
    ),
    (
        "asn conflict",
        lambda r: edit(r, ACME, "bgp_asn: 65001", "bgp_asn: 64512"),
        1,
        ("vpn.asn-conflict", "AsnConflict"),
    ),
    (
        "amazon side asn",
        lambda r: edit(r, ACME, "amazon_side_asn: 64512", "amazon_side_asn: 65535"),
        1,
        ("vpn.amazon-side-asn", "64512-65534"),
    ),
    (
        "tunnel not /30",
        lambda r: edit(r, ACME, "tunnel1_inside_cidr: 169.254.10.0/30", "tunnel1_inside_cidr: 169.254.10.0/29"),
        1,
        ("vpn.tunnel-cidr", "/30 inside 169.254.0.0/16"),
    ),
    (
        "aws-reserved tunnel",
        lambda r: edit(r, ACME, "tunnel1_inside_cidr: 169.254.10.0/30", "tunnel1_inside_cidr: 169.254.169.252/30"),
        1,
        ("vpn.tunnel-cidr", "AWS reserves"),
    ),
    (
        "same tunnel twice",
        lambda r: edit(r, ACME, "tunnel2_inside_cidr: 169.254.11.0/30", "tunnel2_inside_cidr: 169.254.10.0/30"),
        1,
        ("vpn.tunnel-duplicate", "each tunnel needs its own"),
    ),
    (
        "local network inside own vpc",
        lambda r: edit(r, ACME, "local_network_cidr: 192.168.0.0/24", "local_network_cidr: 10.100.5.0/24"),
        1,
        ("vpn.local-network", "black-holed"),
    ),
    (
        "local network on another client",
        lambda r: edit(r, ACME, "local_network_cidr: 192.168.0.0/24", "local_network_cidr: 10.101.0.0/24"),
        1,
        ("vpn.local-network", "client 'globex' VPC"),
    ),
    (
        "local network on eks service range",
        lambda r: edit(r, ACME, "local_network_cidr: 192.168.0.0/24", "local_network_cidr: 172.20.1.0/24"),
        1,
        ("vpn.local-network", "EKS service CIDR"),
    ),
    (
        "vpn missing field",
        lambda r: edit(r, ACME, "  tunnel2_inside_cidr: 169.254.11.0/30\n", ""),
        1,
        ("vpn.required", "vpn.tunnel2_inside_cidr is required"),
    ),
    (
        "bgp vpn without asn",
        lambda r: (
            edit(r, ACME, "  bgp_asn: 65001\n", ""),
            edit(r, ACME, "static_routes_only: true", "static_routes_only: false"),
        ),
        1,
        ("vpn.required", "vpn.bgp_asn is required when vpn.enabled is true and static_routes_only is false"),
    ),
    (
        "eks sizing",
        lambda r: edit(r, ACME, "desired_size: 2", "desired_size: 9"),
        1,
        ("eks.sizing", "min_size <= desired_size <= max_size"),
    ),
    (
        "duplicate port",
        lambda r: edit(r, ACME, "custom_ports: [8080, 9090]", "custom_ports: [8080, 5432]"),
        1,
        ("security.port-duplicate", "port 5432"),
    ),
    (
        "port out of range",
        lambda r: edit(r, ACME, "custom_ports: [8080, 9090]", "custom_ports: [8080, 70000]"),
        2,
        ("security.custom_ports.1", "less than or equal to 65535"),
    ),
    (
        "retention out of bounds",
        lambda r: edit(r, ACME, "backup_retention_days: 14", "backup_retention_days: 60"),
        2,
        ("database.backup_retention_days", "35"),
    ),
    (
        "unknown tier",
        lambda r: edit(r, ACME, "tier: standard", "tier: gold"),
        1,
        ("registry.tier", "'gold'", "standard, premium"),
    ),
    (
        "name longer than a DNS label",
        lambda r: (
            (r / ACME).rename(r / "clients" / ("a" * 64 + ".yaml")),
            edit(r, "clients/" + "a" * 64 + ".yaml", "name: acme-corp", "name: " + "a" * 64),
        ),
        2,
        ("name", "at most 63 characters"),
    ),
]


@pytest.mark.parametrize(("label", "mutate", "code", "needles"), CASES, ids=[c[0] for c in CASES])
def test_validate_rejects(
    repo: Path, cli: Runner, label: str, mutate: Callable[[Path], None], code: int, needles: tuple[str, ...]
) -> None:
    mutate(repo)
    before = snapshot(repo)
    result = cli("validate", cwd=repo)
    assert_clean_failure(result.code, result.text, code, *needles)
    # render refuses too, and writes nothing
    rendered = cli("render", cwd=repo)
    assert rendered.code in (1, 2)
    assert "Traceback" not in rendered.text
    assert snapshot(repo) == before


def test_every_error_names_file_field_and_hint(repo: Path, cli: Runner) -> None:
    edit(repo, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.101.0.0/16")
    result = cli("--output", "json", "validate", cwd=repo)
    assert result.code == 1
    import json

    report = json.loads(result.out)
    checks = {c["name"]: c for c in report["checks"]}
    findings = [f for f in checks["registry"]["findings"] if f["level"] == "error"]
    assert findings
    for finding in findings:
        assert {"file", "line", "field", "rule", "message", "hint"} <= finding.keys(), finding


def test_missing_platform_yaml(tmp_path: Path, cli: Runner) -> None:
    result = cli("validate", cwd=tmp_path)
    assert_clean_failure(result.code, result.text, 2, "no platform.yaml found", "--root")
    result = cli("--root", str(tmp_path), "validate", cwd=tmp_path)
    assert_clean_failure(result.code, result.text, 2, "no platform.yaml in that folder")


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ("cidr: 10.64.0.0/10", "cidr: 10.64.0.1/10", ("platform.yaml", "network.pools.0.cidr", "host bits")),
        ("cidr: 10.64.0.0/10", "cidr: 169.254.0.0/16", ("ipam.forbidden-range",)),
        ("cidr: 10.64.0.0/10", "cidr: 10.64.0.0/20", ("smaller than one VPC",)),
        ("eks_service_cidr: 172.20.0.0/16", "eks_service_cidr: 10.64.0.0/16", ("overlaps pool clients-10",)),
        ("project: ohio-01", "projekt: ohio-01", ("unknown key 'projekt'", "did you mean 'project'")),
        ("project: ohio-01", "project: " + "p" * 32, ("naming.limit", "S3 bucket name", "limit is 63")),
    ],
)
def test_invalid_platform(repo: Path, cli: Runner, old: str, new: str, needles: tuple[str, ...]) -> None:
    edit(repo, "platform.yaml", old, new)
    result = cli("validate", cwd=repo)
    assert_clean_failure(result.code, result.text, 2, *needles)


def test_yaml_error_has_line_number(repo: Path, cli: Runner) -> None:
    (repo / ACME).write_text("name: acme-corp\ntier: [\n")
    result = cli("validate", cwd=repo)
    assert re.search(r"clients/acme-corp.yaml:\d+: invalid YAML", result.text), result.text
