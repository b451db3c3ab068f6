"""First-fit allocation of the next free VPC block, and pool capacity.

Deterministic (lowest free aligned block of the first pool that serves the region, in platform.yaml
order), like NetBox's available-prefixes. Concurrency is handled by the caller
(:func:`clientctl.registry.edit.add_client`): lock, recompute from the registry, create the client file
exclusively.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from clientctl.errors import ChecksFailed
from clientctl.ipam.cidr import VPC_AVOID, VPC_FORBIDDEN, CidrError, IPv4Network, parse_network
from clientctl.ipam.ledger import Ledger
from clientctl.registry.loader import Registry
from clientctl.registry.models import Pool


@dataclass(frozen=True)
class PoolCapacity:
    pool: str
    cidr: str
    prefix_length: int
    total: int
    free: int

    @property
    def used_percent(self) -> float:
        return 100.0 * (self.total - self.free) / self.total if self.total else 100.0


@dataclass(frozen=True)
class Allocation:
    cidr: IPv4Network
    pool: str
    capacity_after: PoolCapacity
    warning: str | None


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
    for released in ledger.quarantined(today):
        nets.append(released.vpc_cidr)
    for reserved in net_settings.reserved:
        add(reserved.cidr)
    add(net_settings.eks_service_cidr)
    nets.extend(s.network for s in (*VPC_FORBIDDEN, *VPC_AVOID))
    ranges = sorted((int(n.network_address), int(n.broadcast_address)) for n in nets)
    merged: list[tuple[int, int]] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _free_blocks(pool: IPv4Network, prefix: int, used: list[tuple[int, int]]) -> tuple[int, int | None]:
    """(number of free aligned blocks of /prefix in pool, first free block's address or None)."""
    size = 1 << (32 - prefix)
    start, end = int(pool.network_address), int(pool.broadcast_address)
    free = 0
    first_free: int | None = None
    cursor = start
    for u_first, u_last in [*used, (end + 1, end + 1)]:
        if u_last < cursor:
            continue
        gap_end = min(u_first - 1, end)
        aligned = (cursor + size - 1) // size * size
        if gap_end >= aligned + size - 1:
            count = (gap_end - aligned + 1) // size
            free += count
            if first_free is None:
                first_free = aligned
        cursor = max(cursor, u_last + 1)
        if cursor > end:
            break
    return free, first_free


def capacity(pool: Pool, prefix: int, used: list[tuple[int, int]]) -> PoolCapacity:
    net = parse_network(pool.cidr)
    total = 1 << (prefix - net.prefixlen) if prefix >= net.prefixlen else 0
    free, _ = _free_blocks(net, prefix, used) if total else (0, None)
    return PoolCapacity(pool.name, pool.cidr, prefix, total, free)


def pools_for(registry: Registry, region: str) -> list[Pool]:
    return [p for p in registry.platform.network.pools if p.regions is None or region in p.regions]


def allocate(
    registry: Registry, ledger: Ledger, region: str, prefix: int | None = None, today: dt.date | None = None
) -> Allocation:
    today = today or dt.date.today()
    net_settings = registry.platform.network
    prefix = prefix or net_settings.vpc_prefix_length
    if not 16 <= prefix <= 28:
        raise ChecksFailed(f"prefix length /{prefix} is outside what AWS allows for a VPC (/16 to /28)")
    used = used_ranges(registry, ledger, today)
    pools = pools_for(registry, region)
    if not pools:
        raise ChecksFailed(
            f"no pool in platform.yaml serves region {region}",
            hint="add a pool under network.pools (optionally with regions: [...])",
        )
    for pool in pools:
        pool_net = parse_network(pool.cidr)
        if prefix < pool_net.prefixlen:
            continue
        free, first = _free_blocks(pool_net, prefix, used)
        if first is None:
            continue
        chosen = IPv4Network((first, prefix))
        after = PoolCapacity(pool.name, pool.cidr, prefix, 1 << (prefix - pool_net.prefixlen), free - 1)
        warning = None
        if after.used_percent >= net_settings.pool_warn_percent:
            warning = (
                f"pool {pool.name} ({pool.cidr}) is {after.used_percent:.0f}% used: {after.free} free "
                f"/{prefix} block(s) left; add a pool to platform.yaml before it runs out"
            )
        return Allocation(chosen, pool.name, after, warning)
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
