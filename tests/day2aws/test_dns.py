"""clientctl dns setup-parent / verify against the sandbox's Route 53."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Aws, cli_json

PARENT = "ezra.world"
ZONE = f"acme-corp.{PARENT}"


def _zone_id(r53: Any, name: str) -> str:
    zones = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == name]
    assert len(zones) == 1, zones
    return str(zones[0]["Id"].split("/")[-1])


def _upsert(r53: Any, zone_id: str, name: str, kind: str, values: list[str]) -> None:
    r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": kind,
                        "TTL": 300,
                        "ResourceRecords": [{"Value": v} for v in values],
                    },
                }
            ]
        },
    )


def _delegated_client(aws: Aws) -> tuple[Any, str, list[str]]:
    """Parent and client zone as layer 05 leaves them, plus an ExternalDNS record; returns (r53, parent id, NS)."""
    r53 = aws.raw("route53")
    r53.create_hosted_zone(Name=PARENT, CallerReference="parent")
    r53.create_hosted_zone(Name=ZONE, CallerReference="client")
    parent_id, zone_id = _zone_id(r53, PARENT), _zone_id(r53, ZONE)
    ns = r53.get_hosted_zone(Id=zone_id)["DelegationSet"]["NameServers"]
    _upsert(r53, parent_id, ZONE, "NS", ns)
    _upsert(r53, zone_id, f"my-app.{ZONE}", "A", ["192.0.2.10"])
    return r53, parent_id, ns


def test_setup_parent_creates_once_and_prints_name_servers(aws: Aws) -> None:
    r53 = aws.raw("route53")
    code, report = cli_json(aws, "dns", "setup-parent", "--dry-run", "--output", "json")
    assert code == 0 and report["zone"] is None and report["dry_run"] is True
    assert r53.list_hosted_zones()["HostedZones"] == []
    code, out = aws.cli("dns", "setup-parent")
    assert code == 0, out
    zone_id = _zone_id(r53, PARENT)
    zone = r53.get_hosted_zone(Id=zone_id)
    assert zone["HostedZone"]["Config"]["PrivateZone"] is False
    for ns in zone["DelegationSet"]["NameServers"]:
        assert ns.rstrip(".") in out
    code, report = cli_json(aws, "dns", "setup-parent", "--output", "json")
    assert code == 0 and report["created"] is False and report["zone"]["id"] == zone_id
    assert len(r53.list_hosted_zones()["HostedZones"]) == 1


def test_verify_passes_for_an_exact_delegation(aws: Aws) -> None:
    _delegated_client(aws)
    code, report = cli_json(aws, "dns", "verify", "acme-corp", "--output", "json")
    assert code == 0, report
    assert {c["id"]: c["status"] for c in report["checks"]} == {
        "dns.parent-zone": "PASS",
        "dns.client-zone": "PASS",
        "dns.delegation": "PASS",
        "dns.records-inside-zone": "PASS",
    }


def test_verify_names_missing_and_extra_name_servers(aws: Aws) -> None:
    r53, parent_id, ns = _delegated_client(aws)
    _upsert(r53, parent_id, ZONE, "NS", [*ns[1:], "ns-1.example.net"])
    # ExternalDNS pointed at the parent zone: the record exists but the delegation hides it.
    # (A record outside the client zone cannot be written into it: Route 53, and the sandbox, refuse it.)
    _upsert(r53, parent_id, f"api.{ZONE}", "CNAME", ["lb.example.com"])
    code, report = cli_json(aws, "dns", "verify", "acme-corp", "--output", "json")
    assert code == 1
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["dns.delegation"]["missing"] == [ns[0].rstrip(".")]
    assert checks["dns.delegation"]["extra"] == ["ns-1.example.net"]
    assert checks["dns.parent-shadowed"]["extra"] == [f"api.{ZONE}"]
    assert checks["dns.records-inside-zone"]["status"] == "PASS"
    code, out = aws.cli("dns", "verify", "acme-corp")
    assert code == 1 and f"missing {ns[0].rstrip('.')}" in out and "extra ns-1.example.net" in out


def test_verify_without_parent_zone_or_client_zone(aws: Aws, tmp_path: Path) -> None:
    code, out = aws.cli("dns", "verify", "acme-corp")
    assert code == 1
    assert f"parent zone {PARENT} does not exist" in out and "clientctl dns setup-parent" in out
    assert f"client zone {ZONE} does not exist" in out
    code, out = aws.cli("dns", "verify", "acme")
    assert code == 2 and "unknown client 'acme'" in out and "acme-corp" in out
    _delegated_client(aws)
    # no `dig` on PATH: live resolution is skipped and says so; the other checks still decide
    code, report = cli_json(aws, "dns", "verify", "acme-corp", "--resolve", "--output", "json")
    assert code == 0, report
    resolve = next(c for c in report["checks"] if c["id"] == "dns.resolve")
    assert resolve["status"] == "SKIP" and "skipped" in resolve["detail"]
    assert "Traceback" not in out
