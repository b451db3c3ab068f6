"""Registry-wide address rules: no two clients' VPCs, VPN networks, tunnels or quarantined blocks collide.

The sweep takes the VPCs that :func:`clientctl.rules.network.check_vpc` found usable as an argument, so a VPC
that is malformed or forbidden is reported once, by its own rule, and takes no part here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from clientctl.ipam.cidr import CidrError, IPv4Network, parse_network
from clientctl.ipam.ledger import Ledger, Released
from clientctl.ipam.overlap import Prefix, find_overlaps
from clientctl.registry.loader import LoadedClient, Registry
from clientctl.rules.catalog import Report, declare
from clientctl.rules.vpn import LOCAL_NETWORK, TUNNEL_DUPLICATE

DUPLICATE = declare(
    "ipam.duplicate",
    "no two VPCs are the same block, across all regions and environments",
    source="one address space, peering/VPN/TGW safe [9]",
)
OVERLAP = declare(
    "ipam.overlap",
    "no two VPCs nested; no VPC over another client's VPN local_network_cidr; no VPC over a quarantined "
    "(released) CIDR",
    source="one address space, peering/VPN/TGW safe [9]",
)


@dataclass(frozen=True)
class Owner:
    """Who holds a prefix in the overlap sweep: a client's field, or the ledger's quarantine."""

    client: str
    field: str
    kind: str  # "vpc", "local", "tunnel", "quarantine"

    def describe(self) -> str:
        if self.kind == "quarantine":
            return f"released CIDR of former client '{self.client}' (in quarantine)"
        what = "VPC" if self.kind == "vpc" else "VPN local network"
        return f"client '{self.client}' {what}"


def returns_to(registry: Registry, released: Released) -> bool:
    """Whether the client a block was released by has that very block as its vpc_cidr again."""
    loaded = registry.clients.get(released.client)
    if loaded is None:
        return False
    try:
        return parse_network(loaded.model.network.vpc_cidr) == released.vpc_cidr
    except CidrError:
        return False


def check_overlaps(
    report: Report,
    registry: Registry,
    ledger: Ledger,
    today: dt.date,
    clients: list[LoadedClient],
    vpcs: Mapping[str, IPv4Network],
) -> None:
    """Sweep every usable VPC (``vpcs``, by client), VPN network and quarantined block for collisions."""
    prefixes: list[Prefix[Owner]] = [Prefix(net, Owner(name, "network.vpc_cidr", "vpc")) for name, net in vpcs.items()]
    tunnels: list[Prefix[Owner]] = []
    for client in clients:
        vpn = client.model.vpn
        if not vpn.enabled:
            continue
        for key, kind, bucket in (
            ("local_network_cidr", "local", prefixes),
            ("tunnel1_inside_cidr", "tunnel", tunnels),
            ("tunnel2_inside_cidr", "tunnel", tunnels),
        ):
            text = getattr(vpn, key)
            try:
                net = parse_network(text) if text is not None else None
            except CidrError:
                net = None  # reported by rules.vpn
            if net is not None:
                bucket.append(Prefix(net, Owner(client.name, f"vpn.{key}", kind)))
    for released in ledger.quarantined(today):
        if returns_to(registry, released):
            continue  # a client moving back to its own quarantined block (its VPC still has it)
        prefixes.append(
            Prefix(
                released.vpc_cidr, Owner(released.client, f"released until {released.quarantine_until}", "quarantine")
            )
        )
    for conflict in find_overlaps(prefixes):
        _report_overlap(report, registry, conflict.outer, conflict.inner, conflict.duplicate)
    for conflict in find_overlaps(tunnels):
        a, b = conflict.outer.owner, conflict.inner.owner
        if a.client == b.client:
            continue  # tunnel1 == tunnel2 is reported by rules.vpn
        for owner, other in ((a, b), (b, a)):
            report.on(
                registry.clients[owner.client],
                TUNNEL_DUPLICATE,
                owner.field.split("."),
                f"tunnel inside CIDR {conflict.inner.network} is also used by client '{other.client}' "
                f"({other.field}); clientctl keeps tunnel CIDRs unique registry-wide",
                value=conflict.inner.network,
                hint="choose another /30 in 169.254.0.0/16",
            )


def _report_overlap(
    report: Report, registry: Registry, outer: Prefix[Owner], inner: Prefix[Owner], duplicate: bool
) -> None:
    a, b = outer.owner, inner.owner
    if a.kind == "local" and b.kind == "local":
        return  # two clients' on-premises ranges never meet: each VPN has its own gateway
    if a.kind == "quarantine" and b.kind == "quarantine":
        return
    rule = DUPLICATE if duplicate and a.kind == b.kind == "vpc" else OVERLAP
    relation = "is the same block as" if duplicate else "overlaps"
    for owner, other, net, other_net in (
        (a, b, outer.network, inner.network),
        (b, a, inner.network, outer.network),
    ):
        if owner.kind == "quarantine" or owner.client not in registry.clients:
            continue
        if owner.kind == "local" and other.kind == "vpc" and other.client == owner.client:
            message = (
                f"VPN local_network_cidr {net} overlaps the client's own VPC {other_net}: the VPC's local "
                "route wins, so that traffic is black-holed (VPNRoutingTypes)"
            )
        else:
            message = f"{net} ({owner.describe()}) {relation} {other_net} ({other.describe()})"
        hint = (
            "pick a free block with `clientctl cidr allocate`"
            if owner.kind == "vpc"
            else "the on-premises range must not overlap any client VPC"
        )
        report.on(
            registry.clients[owner.client],
            LOCAL_NETWORK if owner.kind == "local" else rule,
            owner.field.split("."),
            message,
            value=net,
            hint=hint,
        )
