"""The registry's address space: what a new VPC must avoid, which pools serve a region, the next free block.

The arithmetic is :mod:`clientctl.ipam.allocate`'s (pure); this module feeds it from the client files, the
ledger's quarantine and platform.yaml, and says why when nothing is left.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from clientctl.errors import ChecksFailed
from clientctl.ipam.allocate import Allocation, allocate, check_prefix, merged_ranges
from clientctl.ipam.cidr import VPC_AVOID, VPC_FORBIDDEN, CidrError, IPv4Network, parse_network
from clientctl.ipam.ledger import Ledger
from clientctl.registry.loader import Registry
from clientctl.registry.models import Platform, Pool


def used_ranges(registry: Registry, ledger: Ledger, today: dt.date) -> list[tuple[int, int]]:
    """Every address range a new VPC must avoid, merged and sorted as (first, last) integers."""
    nets: list[IPv4Network] = []

    def add(text: str | None) -> None:
        if text is None:
            return
        # invalid entries are reported by validation; they block nothing here
        with contextlib.suppress(CidrError):
            nets.append(parse_network(text))

    net_settings = registry.platform.network
    for client in registry.clients.values():
        add(client.model.network.vpc_cidr)
        if client.model.vpn.enabled:
            add(client.model.vpn.local_network_cidr)
    nets.extend(released.vpc_cidr for released in ledger.quarantined(today))
    for reserved in net_settings.reserved:
        add(reserved.cidr)
    add(net_settings.eks_service_cidr)
    nets.extend(s.network for s in (*VPC_FORBIDDEN, *VPC_AVOID))
    return merged_ranges(nets)


def pools_for(platform: Platform, region: str) -> list[Pool]:
    """The pools that serve ``region``, in platform.yaml order."""
    return [p for p in platform.network.pools if p.regions is None or region in p.regions]


def next_block(
    registry: Registry,
    ledger: Ledger,
    region: str,
    prefix: int | None = None,
    today: dt.date | None = None,
    used: list[tuple[int, int]] | None = None,
) -> Allocation:
    """The next free VPC block for a client in ``region`` (first fit, platform.yaml's pool order). ``used``:
    :func:`used_ranges` of the same registry, ledger and day, when the caller needs it too."""
    today = today or dt.date.today()
    net_settings = registry.platform.network
    prefix = prefix or net_settings.vpc_prefix_length
    check_prefix(prefix)
    pools = pools_for(registry.platform, region)
    if not pools:
        raise ChecksFailed(
            f"no pool in platform.yaml serves region {region}",
            hint="add a pool under network.pools (optionally with regions: [...])",
        )
    used = used_ranges(registry, ledger, today) if used is None else used
    found = allocate(pools, used, prefix, net_settings.pool_warn_percent)
    if found is not None:
        return found
    summary = ", ".join(f"{p.name} {p.cidr}" for p in pools)
    hogs = _largest_holders(registry, [parse_network(p.cidr) for p in pools], prefix)
    raise ChecksFailed(
        f"no free /{prefix} block left in the pools serving {region} ({summary})"
        + (f"; larger than one VPC: {hogs}" if hogs else ""),
        hint="add a pool to network.pools in platform.yaml, or release CIDRs of offboarded clients"
        + ("; a client file holding more than a VPC's size is probably a typo (`clientctl validate`)" if hogs else ""),
    )


def _largest_holders(registry: Registry, pools: list[IPv4Network], prefix: int) -> str:
    """The client files whose VPC CIDR is wider than /prefix inside a pool: why a pool looks full."""
    wide: list[tuple[int, str]] = []
    for client in registry.clients.values():
        with contextlib.suppress(CidrError):
            net = parse_network(client.model.network.vpc_cidr)
            if net.prefixlen < prefix and any(net.overlaps(pool) for pool in pools):
                wide.append((net.prefixlen, f"{client.source.display} (vpc_cidr {net})"))
    return ", ".join(text for _, text in sorted(wide)[:5])
