"""IPAM engine: strict parsing, the overlap sweep against a naive oracle, allocation and subnet plans."""

from __future__ import annotations

import ipaddress
import random

import pytest

from clientctl.ipam.cidr import CidrError, cidr_offset, is_globally_routable, parse_address, parse_network
from clientctl.ipam.overlap import Prefix, find_overlaps
from clientctl.ipam.subnets import LayoutError, plan


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("10.0.0.1/16", "host bits"),
        ("10.00.0.0/16", "leading zero"),
        ("010.0.0.0/8", "leading zero"),
        ("10.0.0.0/33", "/0 to /32"),
        ("256.0.0.0/8", "above 255"),
        ("10.0.0.0", "a.b.c.d/n"),
        (" 10.0.0.0/16", "a.b.c.d/n"),
        ("fd00::/8", "a.b.c.d/n"),
    ],
)
def test_parse_network_rejects(text: str, why: str) -> None:
    with pytest.raises(CidrError, match=why):
        parse_network(text)


def test_parse_network_rejects_non_strings() -> None:
    with pytest.raises(CidrError, match="expected a CIDR string"):
        parse_network(167772160)


def test_cidr_offset_is_runbook_x() -> None:
    assert cidr_offset(parse_network("10.100.0.0/16")) == 100
    assert cidr_offset(parse_network("10.0.0.0/16")) == 0
    assert cidr_offset(parse_network("172.31.0.0/16")) == 31
    assert cidr_offset(parse_network("10.0.16.0/20")) == 1


@pytest.mark.parametrize(
    ("addr", "routable"),
    [("8.8.8.8", True), ("100.64.1.1", False), ("192.0.2.1", False), ("198.18.0.1", False), ("10.1.1.1", False)],
)
def test_globally_routable_table(addr: str, routable: bool) -> None:
    assert is_globally_routable(parse_address(addr))[0] is routable


def _naive(prefixes: list[Prefix[int]]) -> set[tuple[int, int]]:
    pairs = set()
    for i, a in enumerate(prefixes):
        for b in prefixes[i + 1 :]:
            if a.network.overlaps(b.network):
                pairs.add(tuple(sorted((a.owner, b.owner))))
    return pairs  # type: ignore[return-value]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sweep_matches_naive(seed: int) -> None:
    rng = random.Random(seed)
    prefixes = []
    for i in range(600):
        length = rng.choice([16, 20, 22, 24, 24, 26, 28])
        addr = rng.randrange(2**24) + (10 << 24)
        prefixes.append(Prefix(ipaddress.IPv4Network((addr, length), strict=False), i))
    prefixes.append(Prefix(prefixes[0].network, 10_000))  # a planted duplicate
    found = {tuple(sorted((c.outer.owner, c.inner.owner))) for c in find_overlaps(prefixes)}
    assert found == _naive(prefixes)
    assert (0, 10_000) in found


def test_sweep_names_both_sides_and_duplicates() -> None:
    a = Prefix(parse_network("10.0.0.0/16"), "a")
    b = Prefix(parse_network("10.0.4.0/24"), "b")
    c = Prefix(parse_network("10.0.0.0/16"), "c")
    d = Prefix(parse_network("10.1.0.0/16"), "d")
    conflicts = find_overlaps([a, b, c, d])
    pairs = {(x.outer.owner, x.inner.owner, x.duplicate) for x in conflicts}
    assert pairs == {("a", "c", True), ("a", "b", False), ("c", "b", False)}


def test_subnet_plan_is_append_only() -> None:
    vpc = parse_network("10.100.0.0/16")
    kwargs = {"max_azs": 6, "eks_newbits": 4, "private_newbits": 4, "public_newbits": 8}
    two = {(s.tier, s.az): s.cidr for s in plan(vpc, ["a", "b"], **kwargs)}
    three = {(s.tier, s.az): s.cidr for s in plan(vpc, ["a", "b", "c"], **kwargs)}
    assert all(three[key] == cidr for key, cidr in two.items())
    nets = list(three.values())
    assert all(n.subnet_of(vpc) for n in nets)
    assert not find_overlaps([Prefix(n, i) for i, n in enumerate(nets)])
    assert two[("public", "a")] == parse_network("10.100.192.0/24")


def test_subnet_plan_refuses_what_does_not_fit() -> None:
    with pytest.raises(LayoutError, match="/16 to /28"):
        plan(parse_network("10.0.0.0/24"), ["a", "b"], max_azs=2, eks_newbits=4, private_newbits=4, public_newbits=8)
    with pytest.raises(LayoutError, match="max_azs"):
        plan(
            parse_network("10.0.0.0/16"), ["a", "b", "c"], max_azs=2, eks_newbits=4, private_newbits=4, public_newbits=8
        )


def test_ledger_release_is_idempotent() -> None:
    import datetime as dt

    from clientctl.ipam.cidr import parse_network
    from clientctl.ipam.ledger import Ledger

    today = dt.date(2026, 12, 3)
    block = parse_network("10.40.0.0/16")
    once = Ledger().release(block, "acme", "us-east-1", "prod", today, 30)
    assert [(str(r.vpc_cidr), r.client, r.quarantine_until) for r in once.released] == [
        ("10.40.0.0/16", "acme", dt.date(2027, 1, 2))
    ]
    assert once.release(block, "acme", "us-east-1", "prod", today + dt.timedelta(days=5), 30) is once
    other = once.release(block, "globex", "us-east-1", "prod", today, 30)
    assert [r.client for r in other.released] == ["acme", "globex"]
