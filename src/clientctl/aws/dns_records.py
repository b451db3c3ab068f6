"""Manual records in one client's own Route 53 zone (runbook "Manual DNS Records").

Isolation: a record name must lie inside the client's zone (``names.dns_zone``); anything else is
refused before any call to AWS. ``add`` is an UPSERT (a rerun changes nothing; the runbook's CREATE
failed on a rerun); ``delete`` looks the record up first, because Route 53's DELETE must repeat the
record's current TTL and values exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clientctl.aws.dns import _inside, find_public_zone, fqdn
from clientctl.errors import ChecksFailed, ConfigError

RECORD_TYPES = ("A", "AAAA", "CNAME", "TXT", "MX", "SRV", "CAA")


def absolute_name(name: str, zone: str) -> str:
    """``api`` (one label, relative) -> ``api.<zone>``; a dotted name is absolute and must be inside ``zone``.

    A dotted name is never made relative: ``api.globex.ezra.world`` given for acme-corp is refused
    (exit 2), not turned into ``api.globex.ezra.world.acme-corp.ezra.world``.
    """
    zone = fqdn(zone)
    candidate = fqdn(name)
    if candidate in ("", "@"):
        return zone
    full = candidate if "." in candidate else f"{candidate}.{zone}"
    if not _inside(full, zone):
        raise ConfigError(
            f"record name {name!r} is outside the client's zone {zone}; not done",
            hint=f"give one label relative to the zone (e.g. 'api') or a name ending in .{zone}; "
            "each client manages only its own zone",
        )
    return full


@dataclass(frozen=True)
class Record:
    name: str
    type: str
    ttl: int | None
    values: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "ttl": self.ttl, "values": list(self.values)}


def zone_id(r53: Any, zone: str, client: str) -> str:
    found = find_public_zone(r53, zone)
    if found is None:
        raise ChecksFailed(
            f"the client zone {fqdn(zone)} does not exist",
            hint=f"apply 05-cluster-services first (it creates the zone): clientctl apply {client} "
            "--layer 05-cluster-services",
        )
    return found.id


def _to_record(item: dict[str, Any]) -> Record:
    values = tuple(str(v["Value"]) for v in item.get("ResourceRecords", []))
    ttl = item.get("TTL")
    return Record(fqdn(item["Name"]), str(item["Type"]), int(ttl) if ttl is not None else None, values)


def list_records(r53: Any, zone_id_: str) -> list[Record]:
    records: list[Record] = []
    for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id_):
        records.extend(_to_record(item) for item in page.get("ResourceRecordSets", []))
    return records


def find_record(r53: Any, zone_id_: str, name: str, kind: str) -> Record | None:
    return next((r for r in list_records(r53, zone_id_) if r.name == name and r.type == kind), None)


def _change(r53: Any, zone_id_: str, action: str, record: Record) -> None:
    r53.change_resource_record_sets(
        HostedZoneId=zone_id_,
        ChangeBatch={
            "Comment": f"clientctl dns record {action.lower()}",
            "Changes": [
                {
                    "Action": action,
                    "ResourceRecordSet": {
                        "Name": record.name,
                        "Type": record.type,
                        "TTL": record.ttl,
                        "ResourceRecords": [{"Value": v} for v in record.values],
                    },
                }
            ],
        },
    )


def add_record(r53: Any, zone_id_: str, record: Record, *, dry_run: bool) -> tuple[Record | None, bool]:
    """UPSERT ``record``; returns (the previous record, changed). Nothing is written when unchanged or dry-run."""
    before = find_record(r53, zone_id_, record.name, record.type)
    changed = before is None or before.ttl != record.ttl or sorted(before.values) != sorted(record.values)
    if changed and not dry_run:
        _change(r53, zone_id_, "UPSERT", record)
    return before, changed


def delete_record(r53: Any, zone_id_: str, record: Record) -> None:
    """DELETE with the record's current TTL and values (``record`` as :func:`find_record` returned it)."""
    _change(r53, zone_id_, "DELETE", record)


def check_type(kind: str) -> str:
    upper = kind.upper()
    if upper not in RECORD_TYPES:
        raise ConfigError(
            f"record type {kind!r} is not one clientctl manages",
            hint=f"use one of {', '.join(RECORD_TYPES)} (NS and SOA belong to layer 05)",
        )
    return upper
