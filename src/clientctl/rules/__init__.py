"""The registry's rules, one module per subject, each rule a declared record (:mod:`.catalog`).

- :mod:`.platform`: platform.yaml's own rules, applied whenever the registry is loaded (:func:`load_registry`);
- :mod:`.client`: references into platform.yaml, client codes, derived names, sizes and ports;
- :mod:`.network`: a client's VPC CIDR, pool, reserved ranges, subnet plan and zones;
- :mod:`.vpn`: a client's VPN;
- :mod:`.overlaps`: what no two clients may share.

:func:`check_registry` runs the client rules over the whole registry (``clientctl validate``, render, edits).
Errors make ``validate`` fail; warnings are shown but do not. docs/ipam.md lists every rule with its source.
"""

from __future__ import annotations

import datetime as dt

from clientctl.errors import Finding
from clientctl.ipam.cidr import IPv4Network
from clientctl.ipam.ledger import Ledger
from clientctl.registry.loader import Registry
from clientctl.rules import client, network, overlaps, vpn
from clientctl.rules.catalog import RULES, Report, Rule
from clientctl.rules.overlaps import returns_to
from clientctl.rules.platform import check_platform, load_platform, load_registry, platform_from_text

__all__ = [
    "RULES",
    "Rule",
    "check_platform",
    "check_registry",
    "load_platform",
    "load_registry",
    "platform_from_text",
    "returns_to",
]


def check_registry(registry: Registry, ledger: Ledger, today: dt.date | None = None) -> list[Finding]:
    """Every client rule's findings over the whole registry, client by client and then registry-wide."""
    today = today or dt.date.today()
    platform = registry.platform
    report = Report()
    clients = [registry.clients[n] for n in sorted(registry.clients)]
    for loaded in clients:
        client.check_references(report, platform, loaded)
    client.check_unique_codes(report, clients)
    usable: dict[str, IPv4Network] = {}
    for loaded in clients:
        if loaded.model.region not in platform.regions:
            continue  # nothing below can be judged without the region
        client.check_names(report, platform, loaded)
        client.check_sizing(report, platform, loaded)
        network.check_zones(report, platform, loaded)
        client.check_ports(report, loaded)
        vpc = network.check_vpc(report, platform, ledger, loaded)
        if vpc is not None:
            usable[loaded.name] = vpc
        vpn.check_vpn(report, platform, loaded)
    overlaps.check_overlaps(report, registry, ledger, today, clients, usable)
    return report.findings
