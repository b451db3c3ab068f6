"""clientctl dns record add/list/delete against the sandbox's Route 53; read back with plain boto3."""

from __future__ import annotations

from typing import Any

from clientctl.aws import dns_records
from clientctl.aws.session import CallRecorder

from .conftest import Aws, cli_json

ZONE = "acme-corp.ezra.world"
OTHER = "globex.ezra.world"


def _zones(aws: Aws) -> tuple[Any, str, str]:
    r53 = aws.raw("route53")
    ids = []
    for name in (ZONE, OTHER):
        ids.append(r53.create_hosted_zone(Name=name, CallerReference=name)["HostedZone"]["Id"].split("/")[-1])
    return r53, ids[0], ids[1]


def _own(r53: Any, zone_id: str) -> dict[tuple[str, str], tuple[int, list[str]]]:
    sets = r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {
        (s["Name"].rstrip("."), s["Type"]): (s["TTL"], [r["Value"] for r in s["ResourceRecords"]])
        for s in sets
        if s["Type"] not in ("NS", "SOA")
    }


def test_add_list_delete_round_trip(aws: Aws) -> None:
    r53, zone_id, other_id = _zones(aws)
    code, out = aws.cli("dns", "record", "add", "acme-corp", "manual", "CNAME", "target.example.com")
    assert code == 0, out
    assert _own(r53, zone_id) == {(f"manual.{ZONE}", "CNAME"): (300, ["target.example.com"])}
    # rerun: idempotent (UPSERT, nothing changed); absolute name inside the zone is the same record
    code, report = cli_json(
        aws, "dns", "record", "add", "acme-corp", f"manual.{ZONE}.", "CNAME", "target.example.com", "--output", "json"
    )
    assert code == 0 and report["changed"] is False, report
    code, report = cli_json(
        aws, "dns", "record", "add", "acme-corp", "api", "A", "192.0.2.7", "--ttl", "60", "--output", "json"
    )
    assert code == 0 and report["changed"] is True
    assert _own(r53, zone_id)[(f"api.{ZONE}", "A")] == (60, ["192.0.2.7"])
    code, listed = cli_json(aws, "dns", "record", "list", "acme-corp", "--output", "json")
    assert code == 0
    names = {(r["name"], r["type"]) for r in listed["records"]}
    assert {(f"api.{ZONE}", "A"), (f"manual.{ZONE}", "CNAME"), (ZONE, "NS"), (ZONE, "SOA")} <= names
    # delete: the value must match; no terminal and no --yes is refused (exit 2) and nothing is deleted
    code, out = aws.cli("dns", "record", "delete", "acme-corp", "api", "A", "192.0.2.99", "--yes")
    assert code == 2 and "192.0.2.7" in out
    code, out = aws.cli("dns", "record", "delete", "acme-corp", "api", "A", "192.0.2.7")
    assert code == 2 and "--yes" in out
    assert (f"api.{ZONE}", "A") in _own(r53, zone_id)
    code, out = aws.cli("dns", "record", "delete", "acme-corp", "api", "A", "192.0.2.7", "--yes")
    assert code == 0, out
    assert _own(r53, zone_id) == {(f"manual.{ZONE}", "CNAME"): (300, ["target.example.com"])}
    code, out = aws.cli("dns", "record", "delete", "acme-corp", "api", "A", "192.0.2.7", "--yes")
    assert code == 1 and f"no A record api.{ZONE}" in out
    assert _own(r53, other_id) == {}


def test_names_outside_the_client_zone_are_refused(aws: Aws) -> None:
    r53, zone_id, other_id = _zones(aws)
    for name in (f"api.{OTHER}", "ezra.world", "target.example.com", f"x.{OTHER}."):
        code, out = aws.cli("dns", "record", "add", "acme-corp", name, "A", "192.0.2.1")
        assert code == 2 and "outside the client's zone acme-corp.ezra.world" in out, (name, out)
        assert "Traceback" not in out
    assert _own(r53, zone_id) == {} and _own(r53, other_id) == {}


def test_missing_zone_names_it_and_layer_05(aws: Aws) -> None:
    code, out = aws.cli("dns", "record", "add", "acme-corp", "api", "A", "192.0.2.1")
    assert code == 1 and ZONE in out and "apply 05-cluster-services first" in out


def test_dry_runs_make_no_mutating_call(aws: Aws) -> None:
    r53, zone_id, _ = _zones(aws)
    code, out = aws.cli("dns", "record", "add", "acme-corp", "api", "A", "192.0.2.7", "--dry-run")
    assert code == 0 and "would set" in out and _own(r53, zone_id) == {}
    assert aws.cli("dns", "record", "add", "acme-corp", "api", "A", "192.0.2.7")[0] == 0
    code, out = aws.cli("dns", "record", "delete", "acme-corp", "api", "A", "192.0.2.7", "--dry-run")
    assert code == 0 and "would delete" in out and (f"api.{ZONE}", "A") in _own(r53, zone_id)
    # the core, counted: dry-run add of a changed value reads only
    recorder = CallRecorder()
    client = aws.target(recorder).client("route53")
    record = dns_records.Record(f"api.{ZONE}", "A", 300, ("192.0.2.8",))
    _, changed = dns_records.add_record(client, dns_records.zone_id(client, ZONE, "acme-corp"), record, dry_run=True)
    assert changed is True and recorder.calls and recorder.mutating == []
    assert _own(r53, zone_id)[(f"api.{ZONE}", "A")] == (300, ["192.0.2.7"])
