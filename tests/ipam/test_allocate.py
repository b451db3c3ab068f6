"""ipam.allocate is pure: pools and taken ranges in, the first free aligned block (or None) out."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from clientctl.errors import ChecksFailed
from clientctl.ipam.allocate import allocate, capacity, merged_ranges
from clientctl.ipam.cidr import parse_network


@dataclass(frozen=True)
class Pool:
    name: str
    cidr: str


def taken(*cidrs: str) -> list[tuple[int, int]]:
    return merged_ranges(parse_network(c) for c in cidrs)


def test_merged_ranges_joins_touching_and_nested_blocks() -> None:
    ranges = taken("10.1.0.0/16", "10.0.0.0/16", "10.0.128.0/17", "10.3.0.0/16")
    assert ranges == [
        (int(parse_network("10.0.0.0/16").network_address), int(parse_network("10.1.0.0/16").broadcast_address)),
        (int(parse_network("10.3.0.0/16").network_address), int(parse_network("10.3.0.0/16").broadcast_address)),
    ]


def test_first_fit_skips_taken_blocks_and_misaligned_gaps() -> None:
    pool = Pool("a", "10.0.0.0/14")  # four /16s
    found = allocate([pool], taken("10.0.0.0/16", "10.1.128.0/24"), 16, 80)
    assert found is not None
    assert str(found.cidr) == "10.2.0.0/16"  # 10.1.0.0/16 is partly taken, so not free
    assert (found.pool, found.capacity_after.free, found.capacity_after.total) == ("a", 1, 4)


def test_pools_are_tried_in_order_and_a_full_one_is_skipped() -> None:
    pools = [Pool("full", "10.0.0.0/16"), Pool("next", "10.8.0.0/15")]
    found = allocate(pools, taken("10.0.0.0/16"), 16, 80)
    assert found is not None and (found.pool, str(found.cidr)) == ("next", "10.8.0.0/16")
    assert found.warning is None  # 1 of 2 used after this one: 50% < 80%


def test_nothing_free_is_none_and_a_filling_pool_warns() -> None:
    pool = Pool("small", "10.0.0.0/15")
    assert allocate([pool], taken("10.0.0.0/15"), 16, 80) is None
    last = allocate([pool], taken("10.0.0.0/16"), 16, 80)
    assert last is not None and last.warning is not None and "100% used" in last.warning


def test_a_pool_smaller_than_the_block_is_passed_over() -> None:
    assert allocate([Pool("tiny", "10.0.0.0/20")], [], 16, 80) is None
    assert capacity(Pool("tiny", "10.0.0.0/20"), 16, []).total == 0


@pytest.mark.parametrize("prefix", [15, 29])
def test_a_prefix_aws_does_not_allow_is_refused(prefix: int) -> None:
    with pytest.raises(ChecksFailed, match="/16 to /28"):
        allocate([Pool("a", "10.0.0.0/8")], [], prefix, 80)
