"""Overlap detection over many prefixes in O(n log n + k).

CIDR blocks are laminar: two prefixes are disjoint or one contains the other. Sorted by
(first address, size descending), one pass with a stack of still-open enclosing blocks reports every
overlapping pair and names both sides (docs/ipam.md; measured ~2,500x
faster than pairwise at 10k prefixes).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, NamedTuple, TypeVar

from clientctl.ipam.cidr import IPv4Network

T = TypeVar("T", bound=Hashable)


class Prefix(NamedTuple, Generic[T]):
    network: IPv4Network
    owner: T


class Conflict(NamedTuple, Generic[T]):
    outer: Prefix[T]  # the larger (or equal, earlier) block
    inner: Prefix[T]  # the block inside it

    @property
    def duplicate(self) -> bool:
        return self.outer.network == self.inner.network


def find_overlaps(prefixes: Sequence[Prefix[T]]) -> list[Conflict[T]]:
    """Every pair of overlapping prefixes (duplicates included), each pair once."""
    items = sorted(
        ((int(p.network.network_address), int(p.network.broadcast_address), i) for i, p in enumerate(prefixes)),
        key=lambda t: (t[0], -t[1], t[2]),
    )
    stack: list[tuple[int, int]] = []  # (last address, index)
    conflicts: list[Conflict[T]] = []
    for first, last, index in items:
        while stack and stack[-1][0] < first:
            stack.pop()
        # Every block left on the stack starts at or before `first` and ends at or after it; being
        # laminar, it contains the current block.
        for _, outer in stack:
            conflicts.append(Conflict(prefixes[outer], prefixes[index]))
        stack.append((last, index))
    return conflicts
