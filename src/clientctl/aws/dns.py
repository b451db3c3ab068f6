"""Route 53: the parent zone (one-time setup) and the check of one client's delegated zone.

Runbook "DNS Management": ``platform.parent_zone`` (ezra.world) holds an NS record per client that
delegates ``<client>.<parent>`` (names.dns_zone, created by layer 05) to that zone's name servers;
ExternalDNS writes the client's records inside the client zone.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any, Literal

from clientctl.errors import ConfigError

CheckStatus = Literal["PASS", "FAIL", "SKIP"]


def fqdn(name: str) -> str:
    """Lower case, without the trailing dot; Route 53's escapes (\\052 = *) decoded."""
    return name.strip().rstrip(".").lower().replace("\\052", "*")


def _inside(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    name_servers: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_servers": list(self.name_servers)}


def find_public_zone(r53: Any, name: str) -> Zone | None:
    """The public hosted zone called ``name`` (None if absent; an error if there are several)."""
    wanted = fqdn(name)
    found = []
    marker: dict[str, str] = {}
    while True:
        page = r53.list_hosted_zones_by_name(DNSName=wanted, **marker)
        for zone in page.get("HostedZones", []):
            if fqdn(zone["Name"]) == wanted and not zone.get("Config", {}).get("PrivateZone", False):
                found.append(zone["Id"].split("/")[-1])
        last = page.get("HostedZones", [])[-1:] or None
        if not page.get("IsTruncated") or (last and fqdn(last[0]["Name"]) != wanted):
            break
        marker = {"DNSName": page["NextDNSName"], "HostedZoneId": page["NextHostedZoneId"]}
    if not found:
        return None
    if len(found) > 1:
        raise ConfigError(
            f"{len(found)} public hosted zones are named {wanted} ({', '.join(found)})",
            hint="only one can be delegated to; delete the unused ones (check which the registrar points at)",
        )
    zone = r53.get_hosted_zone(Id=found[0])
    servers = tuple(fqdn(ns) for ns in zone.get("DelegationSet", {}).get("NameServers", []))
    return Zone(found[0], wanted, servers)


@dataclass
class ParentResult:
    zone: Zone | None
    created: bool
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone.to_dict() if self.zone else None,
            "created": self.created,
            "dry_run": self.dry_run,
        }


def setup_parent(r53: Any, parent: str, *, dry_run: bool, now: dt.datetime) -> ParentResult:
    """Create the public parent zone if it is missing (idempotent: an existing zone is only read)."""
    existing = find_public_zone(r53, parent)
    if existing is not None:
        return ParentResult(existing, created=False, dry_run=dry_run)
    if dry_run:
        return ParentResult(None, created=False, dry_run=True)
    r53.create_hosted_zone(
        Name=fqdn(parent),
        CallerReference=f"clientctl-{fqdn(parent)}-{now.strftime('%Y%m%dT%H%M%S%f')}",
        HostedZoneConfig={"Comment": "Parent zone of the client zones (clientctl dns setup-parent)"},
    )
    zone = find_public_zone(r53, parent)
    return ParentResult(zone, created=True, dry_run=False)


@dataclass
class DnsCheck:
    id: str
    status: CheckStatus
    detail: str
    hint: str | None = None
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "status": self.status, "detail": self.detail}
        if self.hint:
            data["hint"] = self.hint
        if self.missing or self.extra:
            data["missing"] = self.missing
            data["extra"] = self.extra
        return data


@dataclass
class DnsReport:
    client: str
    zone: str
    parent: str
    checks: list[DnsCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != "FAIL" for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "client": self.client,
            "zone": self.zone,
            "parent": self.parent,
            "checks": [c.to_dict() for c in self.checks],
        }


def _records(r53: Any, zone_id: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id):
        records.extend(page.get("ResourceRecordSets", []))
    return records


def _values(record: dict[str, Any]) -> list[str]:
    return [fqdn(r["Value"]) for r in record.get("ResourceRecords", [])]


def _ns_diff(expected: list[str], actual: list[str]) -> tuple[list[str], list[str]]:
    return sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))


def verify_client(r53: Any, client: str, zone_name: str, parent_name: str) -> DnsReport:
    """Parent zone, client zone, exact NS delegation, and records inside the client zone."""
    zone_name, parent_name = fqdn(zone_name), fqdn(parent_name)
    report = DnsReport(client, zone_name, parent_name)
    add = report.checks.append
    parent = find_public_zone(r53, parent_name)
    if parent is None:
        add(
            DnsCheck(
                "dns.parent-zone",
                "FAIL",
                f"parent zone {parent_name} does not exist",
                "create it: clientctl dns setup-parent (then set its name servers at the registrar)",
            )
        )
    else:
        add(DnsCheck("dns.parent-zone", "PASS", f"parent zone {parent_name} ({parent.id})"))
    zone = find_public_zone(r53, zone_name)
    if zone is None:
        add(
            DnsCheck(
                "dns.client-zone",
                "FAIL",
                f"client zone {zone_name} does not exist",
                f"layer 05-cluster-services creates it: clientctl apply {client} --layer 05-cluster-services",
            )
        )
    else:
        add(DnsCheck("dns.client-zone", "PASS", f"client zone {zone_name} ({zone.id})"))
    if parent is None or zone is None:
        add(DnsCheck("dns.delegation", "SKIP", "needs both zones"))
        return report
    parent_records = _records(r53, parent.id)
    ns = next((r for r in parent_records if fqdn(r["Name"]) == zone_name and r["Type"] == "NS"), None)
    expected = sorted(zone.name_servers)
    if ns is None:
        add(
            DnsCheck(
                "dns.delegation",
                "FAIL",
                f"no NS record for {zone_name} in the parent zone {parent_name}",
                f"apply layer 05 for {client} (it writes the delegation), or add NS {', '.join(expected)}",
                missing=expected,
            )
        )
    else:
        missing, extra = _ns_diff(expected, _values(ns))
        if missing or extra:
            detail = "NS delegation in the parent does not match the client zone's name servers:"
            if missing:
                detail += f" missing {', '.join(missing)}"
            if extra:
                detail += f"{';' if missing else ''} extra {', '.join(extra)}"
            add(
                DnsCheck(
                    "dns.delegation",
                    "FAIL",
                    detail,
                    f"set the NS record of {zone_name} in {parent_name} to exactly: {', '.join(expected)} "
                    f"(clientctl apply {client} --layer 05-cluster-services)",
                    missing=missing,
                    extra=extra,
                )
            )
        else:
            add(DnsCheck("dns.delegation", "PASS", f"NS delegation matches ({len(expected)} name servers)"))
    shadowed = sorted(
        {fqdn(r["Name"]) for r in parent_records if _inside(fqdn(r["Name"]), zone_name) and r["Type"] != "NS"}
    )
    if shadowed:
        add(
            DnsCheck(
                "dns.parent-shadowed",
                "FAIL",
                f"records for names inside {zone_name} live in the parent zone and are hidden by the delegation: "
                + ", ".join(shadowed),
                f"move them into the client zone {zone_name}",
                extra=shadowed,
            )
        )
    records = _records(r53, zone.id)
    apex_ns = next((r for r in records if fqdn(r["Name"]) == zone_name and r["Type"] == "NS"), None)
    if apex_ns is not None:
        missing, extra = _ns_diff(expected, _values(apex_ns))
        if missing or extra:
            add(
                DnsCheck(
                    "dns.zone-ns",
                    "FAIL",
                    f"the zone's own NS record differs from its delegation set: missing {missing or 'none'}, "
                    f"extra {extra or 'none'}",
                    "restore the apex NS record to the delegation set",
                    missing=missing,
                    extra=extra,
                )
            )
    outside = sorted({fqdn(r["Name"]) for r in records if not _inside(fqdn(r["Name"]), zone_name)})
    if outside:
        add(
            DnsCheck(
                "dns.records-inside-zone",
                "FAIL",
                f"records outside {zone_name} in the client zone (never served): {', '.join(outside)}",
                "check ExternalDNS's --domain-filter and the services' hostname annotations",
                extra=outside,
            )
        )
    else:
        own = [r for r in records if r["Type"] not in ("NS", "SOA")]
        add(DnsCheck("dns.records-inside-zone", "PASS", f"{len(own)} record(s), all inside {zone_name}"))
    return report


def resolve_ns(zone_name: str, expected: list[str], timeout: int = 5) -> DnsCheck:
    """Live check with ``dig +short NS`` (the stdlib resolver cannot ask for NS records); SKIP without it."""
    dig = shutil.which("dig")
    if dig is None:
        return DnsCheck("dns.resolve", "SKIP", "live resolution skipped: `dig` is not installed (bind9-dnsutils)")
    try:
        proc = subprocess.run(
            [dig, "+short", f"+time={timeout}", "+tries=1", "NS", zone_name],
            capture_output=True,
            text=True,
            timeout=timeout * 2 + 5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return DnsCheck("dns.resolve", "SKIP", f"live resolution skipped: dig failed ({exc})")
    if proc.returncode != 0 or "connection timed out" in proc.stdout or "no servers could be reached" in proc.stdout:
        return DnsCheck("dns.resolve", "SKIP", "live resolution skipped: no DNS server reachable (network?)")
    answers = sorted(fqdn(line) for line in proc.stdout.splitlines() if line.strip() and not line.startswith(";"))
    if not answers:
        return DnsCheck(
            "dns.resolve",
            "FAIL",
            f"public DNS returns no NS for {zone_name}",
            "the parent's name servers may not be set at the registrar yet (clientctl dns setup-parent)",
        )
    missing, extra = _ns_diff(sorted(expected), answers)
    if missing or extra:
        return DnsCheck(
            "dns.resolve",
            "FAIL",
            f"public DNS answers differ: missing {missing or 'none'}, extra {extra or 'none'}",
            "delegation changes can take up to the NS TTL (48 h at some registrars) to propagate",
            missing=missing,
            extra=extra,
        )
    return DnsCheck("dns.resolve", "PASS", f"public DNS returns the {len(answers)} expected name servers")
