"""Strict IPv4 CIDR parsing and the special-purpose ranges clientctl refuses.

We keep our own table of special ranges instead of ``ipaddress``'s ``is_global``/``is_private``:
their answers changed between Python versions (CVE-2024-4032, python/cpython#113171; 100.64.0.0/10 is
neither private nor global, python/cpython#119812). Rule numbers refer to the checklist in
docs/ipam.md, which quotes the AWS rules with their sources.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import NamedTuple

IPv4Network = ipaddress.IPv4Network
IPv4Address = ipaddress.IPv4Address

_CIDR_SHAPE = re.compile(r"^(\d{1,4})\.(\d{1,4})\.(\d{1,4})\.(\d{1,4})/(\d{1,2})$")
_ADDR_SHAPE = re.compile(r"^(\d{1,4})\.(\d{1,4})\.(\d{1,4})\.(\d{1,4})$")


class CidrError(ValueError):
    """A CIDR string that is not a canonical IPv4 network; the message says why and how to fix it."""


def _check_octets(text: str, octets: tuple[str, ...]) -> None:
    for octet in octets:
        if len(octet) > 1 and octet.startswith("0"):
            # Leading zeros are octal to some parsers and decimal to others (CVE-2021-29921; Terraform's
            # cidrsubnet reads them as decimal), so an address with them is ambiguous.
            raise CidrError(f"{text!r} has a leading zero in an octet ({octet!r}); write it without")
        if int(octet) > 255:
            raise CidrError(f"{text!r} has an octet above 255 ({octet})")


def parse_network(text: object) -> IPv4Network:
    """Parse ``a.b.c.d/n`` strictly: four decimal octets, no leading zeros, no host bits."""
    if not isinstance(text, str):
        raise CidrError(f"expected a CIDR string like '10.0.0.0/16', got {type(text).__name__} {text!r}")
    return _parse_network(text)


@lru_cache(maxsize=65536)
def _parse_network(text: str) -> IPv4Network:
    match = _CIDR_SHAPE.match(text.strip())
    if not match or text != text.strip():
        raise CidrError(f"{text!r} is not an IPv4 CIDR of the form a.b.c.d/n (for example 10.100.0.0/16)")
    _check_octets(text, match.groups()[:4])
    prefix = int(match.group(5))
    if prefix > 32:
        raise CidrError(f"{text!r} has prefix length /{prefix}; IPv4 allows /0 to /32")
    try:
        return ipaddress.IPv4Network(text, strict=True)
    except ValueError:
        canonical = ipaddress.IPv4Network(text, strict=False)
        raise CidrError(
            f"{text!r} has host bits set; the network is {canonical} (AWS would silently use that)"
        ) from None


def parse_address(text: object) -> IPv4Address:
    if not isinstance(text, str):
        raise CidrError(f"expected an IPv4 address like '203.0.113.10', got {type(text).__name__} {text!r}")
    match = _ADDR_SHAPE.match(text)
    if not match:
        raise CidrError(f"{text!r} is not an IPv4 address of the form a.b.c.d")
    _check_octets(text, match.groups())
    return ipaddress.IPv4Address(text)


class SpecialRange(NamedTuple):
    network: IPv4Network
    name: str


def _special(cidr: str, name: str) -> SpecialRange:
    return SpecialRange(ipaddress.IPv4Network(cidr), name)


# IANA IPv4 special-purpose registry entries that are not globally routable (RFC 6890 and updates).
NOT_GLOBAL: tuple[SpecialRange, ...] = (
    _special("0.0.0.0/8", "'this network' (RFC 791)"),
    _special("10.0.0.0/8", "private (RFC 1918)"),
    _special("100.64.0.0/10", "shared address space / carrier-grade NAT (RFC 6598)"),
    _special("127.0.0.0/8", "loopback (RFC 1122)"),
    _special("169.254.0.0/16", "link-local (RFC 3927)"),
    _special("172.16.0.0/12", "private (RFC 1918)"),
    _special("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    _special("192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"),
    _special("192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"),
    _special("192.168.0.0/16", "private (RFC 1918)"),
    _special("198.18.0.0/15", "benchmarking (RFC 2544)"),
    _special("198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"),
    _special("203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"),
    _special("224.0.0.0/4", "multicast (RFC 5771)"),
    _special("240.0.0.0/4", "reserved for future use (RFC 1112)"),
    _special("255.255.255.255/32", "limited broadcast (RFC 919)"),
)

# Ranges a VPC may never use (checklist rule 4): AWS refuses link-local, the others are not unicast.
VPC_FORBIDDEN: tuple[SpecialRange, ...] = (
    _special("0.0.0.0/8", "'this network' (RFC 791)"),
    _special("127.0.0.0/8", "loopback"),
    _special("169.254.0.0/16", "link-local: AWS cannot assign it to a VPC"),
    _special("224.0.0.0/4", "multicast"),
    _special("240.0.0.0/4", "reserved"),
)

# Ranges a VPC should avoid (checklist rule 7): "Some AWS services use the 172.17.0.0/16 CIDR range"
# (VPC user guide, vpc-cidr-blocks); it is also Docker's default bridge. clientctl policy: an error.
VPC_AVOID: tuple[SpecialRange, ...] = (
    _special("172.17.0.0/16", "used by some AWS services (Cloud9, SageMaker) and Docker's default bridge"),
)

# Default EKS service CIDRs (KubernetesNetworkConfigRequest.serviceIpv4Cidr): used when none is set.
EKS_DEFAULT_SERVICE_CIDRS: tuple[SpecialRange, ...] = (
    _special("10.100.0.0/16", "EKS default service CIDR (used when the VPC is not in 10/8)"),
    _special("172.20.0.0/16", "EKS default service CIDR (used when the VPC is in 10/8)"),
)

RFC1918: tuple[IPv4Network, ...] = tuple(
    ipaddress.IPv4Network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)

LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")

# Site-to-site VPN tunnel inside CIDRs that AWS reserves (VpnTunnelOptionsSpecification): exactly 7.
VPN_RESERVED_TUNNELS: frozenset[IPv4Network] = frozenset(
    ipaddress.IPv4Network(c)
    for c in (
        "169.254.0.0/30",
        "169.254.1.0/30",
        "169.254.2.0/30",
        "169.254.3.0/30",
        "169.254.4.0/30",
        "169.254.5.0/30",
        "169.254.169.252/30",
    )
)


def overlapping_special(net: IPv4Network, table: tuple[SpecialRange, ...]) -> SpecialRange | None:
    for special in table:
        if net.overlaps(special.network):
            return special
    return None


def is_globally_routable(addr: IPv4Address) -> tuple[bool, str]:
    for special in NOT_GLOBAL:
        if addr in special.network:
            return False, f"{addr} is in {special.network}, {special.name}"
    return True, ""


def usable_addresses(net: IPv4Network) -> int:
    """AWS reserves 5 addresses in every subnet: network, router, DNS, future use, broadcast."""
    return max(net.num_addresses - 5, 0)


def cidr_offset(net: IPv4Network) -> int:
    """The VPC's block number inside its enclosing /8: ``X`` in ``10.X.0.0/16`` (the runbook's
    ``cidr_offset``). For other prefix lengths it is the index of the block of that size in the /8."""
    first_octet_base = int(net.network_address) & 0xFF000000
    return (int(net.network_address) - first_octet_base) >> (32 - net.prefixlen)
