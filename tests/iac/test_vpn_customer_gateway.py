"""Layer 01: a static-routes VPN without vpn.bgp_asn still sends an ASN to CreateCustomerGateway (EC2 requires
bgp_asn or bgp_asn_extended; the value is irrelevant for static routing, so 65000 is used)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import Runner
from tests.iac.layer_scope import LAYER_DIR, REPO, evaluate_layer


@pytest.fixture
def static_vpn_without_asn(repo: Path, cli: Runner) -> Path:
    shutil.copytree(REPO / "modules", repo / "modules", ignore=shutil.ignore_patterns(".terraform", "tests"))
    folder = LAYER_DIR.format("01-foundation")
    for tf in (REPO / folder).glob("*.tf"):
        shutil.copy(tf, repo / folder / tf.name)
    client = repo / "clients/acme-corp.yaml"
    text = client.read_text()
    assert "  bgp_asn: 65001\n" in text and "static_routes_only: true" in text
    client.write_text(text.replace("  bgp_asn: 65001\n", ""))
    assert cli("render", cwd=repo).code == 0
    return repo


def _gateway_asns(root: Path) -> tuple[object, object]:
    vpc = evaluate_layer(root, "01-foundation", "acme-corp").child("vpc")
    assert vpc is not None
    return vpc.attr("aws_customer_gateway.this", "bgp_asn"), vpc.attr("aws_customer_gateway.this", "bgp_asn_extended")


def test_static_vpn_without_asn_sends_65000(static_vpn_without_asn: Path) -> None:
    assert _gateway_asns(static_vpn_without_asn) == ("65000", None)


def test_client_asn_is_sent_when_set() -> None:
    assert _gateway_asns(REPO) == ("65001", None)
