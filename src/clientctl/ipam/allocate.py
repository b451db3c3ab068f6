"""First-fit allocation of the next free VPC block, and pool capacity: pure, from pools and taken ranges.

Deterministic (lowest free aligned block of the first pool, in the order given), like NetBox's
available-prefixes. What is taken, and which pools serve a region, is read from the registry by
:mod:`clientctl.registry.addresses`; concurrency is handled by :func:`clientctl.edits.add_client` (lock,
recompute from the registry, create the client file exclusively).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from clientctl.errors import ChecksFailed
from clientctl.ipam.cidr import IPv4Network, parse_network


class Pool(Protocol):
    """A pool of VPC blocks, as platform.yaml's ``network.pools`` entries are."""

    @property
    def name(self) -> str: ...

    @property
    def cidr(self) -> str: ...


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


def merged_ranges(nets: Iterable[IPv4Network]) -> list[tuple[int, int]]:
    """``nets`` as sorted, merged (first, last) address ranges: the form :func:`allocate` takes."""
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
    """How many /prefix blocks ``pool`` holds, and how many of them ``used`` leaves free."""
    net = parse_network(pool.cidr)
    total = 1 << (prefix - net.prefixlen) if prefix >= net.prefixlen else 0
    free, _ = _free_blocks(net, prefix, used) if total else (0, None)
    return PoolCapacity(pool.name, pool.cidr, prefix, total, free)


def check_prefix(prefix: int) -> None:
    """Refuse a VPC prefix length AWS does not allow."""
    if not 16 <= prefix <= 28:
        raise ChecksFailed(f"prefix length /{prefix} is outside what AWS allows for a VPC (/16 to /28)")


def allocate(pools: Sequence[Pool], used: list[tuple[int, int]], prefix: int, warn_percent: float) -> Allocation | None:
    """The lowest free aligned /prefix block of the first pool (in order) that has one, or None when every
    pool is full. ``used`` is :func:`merged_ranges` of everything a new VPC must avoid."""
    check_prefix(prefix)
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
        if after.used_percent >= warn_percent:
            warning = (
                f"pool {pool.name} ({pool.cidr}) is {after.used_percent:.0f}% used: {after.free} free "
                f"/{prefix} block(s) left; add a pool to platform.yaml before it runs out"
            )
        return Allocation(chosen, pool.name, after, warning)
    return None
