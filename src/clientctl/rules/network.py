"""A client's own network: VPC CIDR, its pool, reserved ranges, the subnet plan and availability zones.

The bracketed numbers are the validation checklist's (docs/ipam.md gives the AWS sources).
"""

from __future__ import annotations

from collections.abc import Sequence

from clientctl.ipam.cidr import (
    VPC_AVOID,
    VPC_FORBIDDEN,
    CidrError,
    IPv4Network,
    cidr_offset,
    overlapping_special,
    parse_network,
)
from clientctl.ipam.ledger import Ledger
from clientctl.ipam.subnets import LayoutError
from clientctl.registry.loader import LoadedClient
from clientctl.registry.models import Platform
from clientctl.registry.resolve import subnet_plan
from clientctl.rules.catalog import Report, declare

# EKS cannot place cluster subnets in these AZ IDs (EKS user guide, network-reqs) [16].
EKS_FORBIDDEN_AZ_IDS = frozenset({"use1-az3", "usw1-az2", "cac1-az3"})

FORMAT = declare(
    "ipam.format",
    "CIDRs are canonical IPv4 a.b.c.d/n: no host bits, no leading zeros, octets 0-255",
    source="AWS silently canonicalises host bits (VPC user guide, vpc-cidr-blocks); leading zeros are octal to "
    "some parsers (CVE-2021-29921) [1, 2]",
)
VPC_SIZE = declare(
    "ipam.vpc-size",
    "VPC /16../28 (error); a size other than network.vpc_prefix_length (warning)",
    source="vpc-cidr-blocks [3]",
    levels=("error", "warning"),
)
FORBIDDEN_RANGE = declare(
    "ipam.forbidden-range",
    "not in 0/8, 127/8, 169.254/16, 224/4, 240/4",
    source="link-local cannot be assigned to a VPC (RFC 5735) [4]",
)
RESERVED_RANGE = declare(
    "ipam.reserved-range",
    "not in 172.17/16; not in the EKS service CIDR; not in network.reserved",
    source='"Some AWS services use 172.17.0.0/16" (vpc-cidr-blocks); service IPs take priority over VPC '
    "addresses (EKS network-reqs) [7, 8, 17]",
)
POOL = declare(
    "ipam.pool",
    "inside a pool that serves the client's region",
    source="allocation discipline",
    hint="use `clientctl cidr allocate` or add a pool in platform.yaml",
)
CIDR_OFFSET = declare(
    "ipam.cidr-offset",
    "cidr_offset, when given, equals the derived one (X in 10.X.0.0/16; generally the block index inside its /8)",
    source="derived, never trusted [10]",
)
SUBNET_LAYOUT = declare(
    "ipam.subnet-layout",
    "the subnet plan fits the VPC; AZ count <= subnet_layout.max_azs",
    source="subnets /16../28 inside the VPC, no overlap [11]",
)
SUBNET_SIZE = declare(
    "ipam.subnet-size",
    "public subnets >= /27; EKS subnets >= /20",
    source="ELB needs /27 with 8 free IPs; VPC CNI prefix delegation needs contiguous /28s [12]",
    levels=("warning",),
)
VPC_CIDR_MOVE = declare(
    "ipam.vpc-cidr-move",
    "vpc_cidr equals the block recorded in cidr-registry.yaml, unless the move is planned",
    source="a VPC CIDR cannot change in place: Terraform replaces the VPC and everything in it (docs/ipam.md)",
    levels=("warning",),
)
AZ_COUNT = declare(
    "ipam.az-count",
    "enough AZs in the region, and no more than subnet_layout.max_azs",
    source="EKS network-reqs [13, 15]",
)
EKS_AZ_ID = declare(
    "eks.az-id",
    "no EKS-forbidden AZ IDs (use1-az3, usw1-az2, cac1-az3) when AZ IDs are recorded",
    source="EKS network-reqs [16]",
    hint="reorder regions.<region>.availability_zones in platform.yaml to skip it",
)


def parsed(report: Report, client: LoadedClient, path: Sequence[str | int], text: str | None) -> IPv4Network | None:
    """``text`` as a network, or None (and an ``ipam.format`` finding when it does not parse)."""
    if text is None:
        return None
    try:
        return parse_network(text)
    except CidrError as exc:
        report.on(client, FORMAT, path, str(exc), value=text, hint="write a network address a.b.c.d/n")
        return None


def check_zones(report: Report, platform: Platform, client: LoadedClient) -> None:
    """The availability zones a client asks for exist in its region, fit the layout and can hold EKS."""
    m = client.model
    count = m.network.az_count or platform.network.az_count
    region = platform.regions[m.region]
    if count > len(region.availability_zones):
        report.on(
            client,
            AZ_COUNT,
            ["network", "az_count"],
            f"{count} availability zones requested; region {m.region} lists {len(region.availability_zones)}",
            value=count,
            hint="lower network.az_count or list more zones in platform.yaml",
        )
    if count > platform.network.subnet_layout.max_azs:
        report.on(
            client,
            AZ_COUNT,
            ["network", "az_count"],
            f"{count} availability zones requested; subnet_layout.max_azs is {platform.network.subnet_layout.max_azs}",
            value=count,
            hint="lower network.az_count",
        )
    for az in region.availability_zones[:count]:
        az_id = region.availability_zone_ids.get(az)
        if az_id in EKS_FORBIDDEN_AZ_IDS and m.eks.enabled:
            report.on(
                client,
                EKS_AZ_ID,
                ["network", "az_count"],
                f"{az} is AZ ID {az_id}, where EKS cannot place cluster subnets (EKS network requirements)",
                value=az,
            )


def check_vpc(report: Report, platform: Platform, ledger: Ledger, client: LoadedClient) -> IPv4Network | None:
    """Judge a client's VPC CIDR on its own; return it when it may take part in the registry-wide overlap
    sweep (it parses, has a size AWS allows and lies outside the forbidden ranges), else None."""
    m = client.model
    path = ["network", "vpc_cidr"]
    vpc = parsed(report, client, path, m.network.vpc_cidr)
    if vpc is None:
        return None
    recorded = ledger.vpc_cidrs.get(client.name)
    if recorded is not None and recorded != m.network.vpc_cidr:
        report.on(
            client,
            VPC_CIDR_MOVE,
            path,
            f"vpc_cidr changed from {recorded} (cidr-registry.yaml) to {vpc}: a VPC CIDR cannot change in place, "
            "so Terraform replaces the VPC and everything in it (subnets, NAT, EKS, instances, volumes)",
            value=vpc,
            hint=f"for a client that was never applied this is harmless; otherwise revert it and plan the move "
            f"explicitly (docs/ipam.md 'Moving a client to another CIDR'). `clientctl render` quarantines {recorded}",
        )
    net = platform.network
    usable = True
    if not 16 <= vpc.prefixlen <= 28:  # [3] VPC user guide: /16 .. /28
        report.on(
            client,
            VPC_SIZE,
            path,
            f"VPC {vpc} is /{vpc.prefixlen}; AWS allows /16 to /28",
            value=vpc,
            hint=f"use a /{net.vpc_prefix_length} from `clientctl cidr allocate`",
        )
        usable = False
    elif vpc.prefixlen != net.vpc_prefix_length:
        report.on(
            client,
            VPC_SIZE,
            path,
            f"VPC {vpc} is /{vpc.prefixlen}; the platform allocates /{net.vpc_prefix_length}",
            value=vpc,
            level="warning",
            hint="a different size fragments the pool",
        )
    forbidden = overlapping_special(vpc, VPC_FORBIDDEN)  # [4]
    if forbidden:
        report.on(
            client,
            FORBIDDEN_RANGE,
            path,
            f"VPC {vpc} overlaps {forbidden.network}, {forbidden.name}",
            value=vpc,
            hint="choose a block from a platform pool",
        )
        usable = False
    avoid = overlapping_special(vpc, VPC_AVOID)  # [7] clientctl policy: an error
    if avoid:
        report.on(
            client,
            RESERVED_RANGE,
            path,
            f"VPC {vpc} overlaps {avoid.network}: {avoid.name}",
            value=vpc,
            hint="choose a block from a platform pool",
        )
    service = parse_network(net.eks_service_cidr)
    if vpc.overlaps(service):  # [17]
        report.on(
            client,
            RESERVED_RANGE,
            path,
            f"VPC {vpc} overlaps the EKS service CIDR {service} (network.eks_service_cidr); service IPs "
            "take priority over VPC addresses",
            value=vpc,
            hint="choose a block outside the service range",
        )
    for i, reserved in enumerate(net.reserved):
        reserved_net = parse_network(reserved.cidr)
        if vpc.overlaps(reserved_net):
            report.on(
                client,
                RESERVED_RANGE,
                path,
                f"VPC {vpc} overlaps reserved range {reserved_net} ({reserved.reason}; platform.yaml "
                f"network.reserved[{i}])",
                value=vpc,
                hint="choose a block from `clientctl cidr allocate`",
            )
    pools = [p for p in net.pools if p.regions is None or m.region in p.regions]
    if not any(vpc.subnet_of(parse_network(p.cidr)) for p in pools):
        names = ", ".join(f"{p.name} {p.cidr}" for p in pools) or "none"
        report.on(
            client,
            POOL,
            path,
            f"VPC {vpc} is not inside any pool that serves region {m.region} (pools: {names})",
            value=vpc,
        )
    offset = cidr_offset(vpc)  # [10]
    if m.network.cidr_offset is not None and m.network.cidr_offset != offset:
        report.on(
            client,
            CIDR_OFFSET,
            ["network", "cidr_offset"],
            f"cidr_offset {m.network.cidr_offset} does not match vpc_cidr {vpc} (derived offset {offset})",
            value=m.network.cidr_offset,
            hint=f"set cidr_offset: {offset} or remove it (it is derived)",
        )
    if not usable:
        return None
    check_subnets(report, platform, client)
    return vpc


def check_subnets(report: Report, platform: Platform, client: LoadedClient) -> None:
    """The subnet plan fits the VPC, and its subnets are large enough for load balancers and EKS."""
    path = ["network", "vpc_cidr"]
    try:
        subnets = subnet_plan(platform, client.model)
    except LayoutError as exc:
        report.on(client, SUBNET_LAYOUT, path, str(exc), value=client.model.network.vpc_cidr)
        return
    for s in subnets:
        if s.tier == "public" and s.cidr.prefixlen > 27:  # [12] ELB needs >= /27 with 8 free IPs
            report.on(
                client,
                SUBNET_SIZE,
                path,
                f"public subnet {s.cidr} ({s.az}) is smaller than /27, the minimum for load balancers",
                hint="use larger VPCs or lower subnet_layout.public_newbits",
            )
            break
    for s in subnets:
        if s.tier == "eks" and s.cidr.prefixlen > 20:  # [12] prefix delegation needs room
            report.on(
                client,
                SUBNET_SIZE,
                path,
                f"EKS subnet {s.cidr} ({s.az}) is smaller than the recommended /20 for VPC CNI prefix delegation",
                hint="use /16 VPCs or lower subnet_layout.eks_newbits",
            )
            break
