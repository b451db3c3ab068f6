"""platform.yaml's own rules: pools, reserved, management and service CIDRs, derived names, zones, versions.

They are checked whenever the registry is loaded (:func:`load_registry`), and a platform.yaml that breaks
one is refused as a configuration error (exit 2): nothing can be judged or rendered on top of it.
``registry.loader`` only reads and schema-checks the files.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from clientctl import naming
from clientctl.errors import ConfigError, Finding
from clientctl.ipam.cidr import VPC_FORBIDDEN, CidrError, overlapping_special, parse_network
from clientctl.ipam.overlap import Prefix, find_overlaps
from clientctl.registry.loader import Registry, SourceFile, read_platform, read_platform_text, read_registry
from clientctl.registry.models import Platform
from clientctl.rules.catalog import Report, declare
from clientctl.rules.client import NAME_LIMIT
from clientctl.rules.network import FORBIDDEN_RANGE, FORMAT, SUBNET_LAYOUT

RFC1918 = tuple(ipaddress.IPv4Network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))

POOL_SIZE = declare(
    "ipam.pool-size",
    "every pool holds at least one VPC of network.vpc_prefix_length",
    source="allocation discipline",
    hint="use a larger pool or a longer network.vpc_prefix_length",
)
POOL_OVERLAP = declare(
    "ipam.pool-overlap",
    "pools are disjoint",
    source="an allocation has exactly one home",
    hint="pools must be disjoint so an allocation has exactly one home",
)
UNKNOWN_REGION = declare(
    "platform.unknown-region",
    "a pool names only regions that are under 'regions'",
    source="reference exists",
)
MANAGEMENT_OPEN = declare(
    "platform.management-cidrs-open",
    "the management CIDRs together do not cover the whole IPv4 space",
    source="they open the EKS public API endpoint",
    hint="list only the operators' egress ranges (office NAT, VPN, CI runners), e.g. [198.51.100.0/24]",
)
MANAGEMENT_TOO_WIDE = declare(
    "platform.management-cidrs-too-wide",
    "the management CIDRs together cover at most network.management_cidrs_max_addresses addresses",
    source="they open the EKS public API endpoint",
    hint="list only the operators' egress ranges, or raise network.management_cidrs_max_addresses deliberately",
)
EKS_SERVICE_CIDR = declare(
    "ipam.eks-service-cidr",
    "the EKS service CIDR is RFC 1918, /12../24 and outside every pool",
    source="EKS KubernetesNetworkConfigRequest.serviceIpv4Cidr [17]",
)
PLATFORM_AZS = declare(
    "platform.azs",
    "every region lists at least network.az_count availability zones",
    source="EKS network-reqs [13]",
    hint="list more availability zones",
)
KUBERNETES_VERSION = declare(
    "platform.kubernetes-version",
    "versions.kubernetes has a row in versions.version_matrix",
    source="the cluster-autoscaler's minor must equal the cluster's",
)


def check_platform(platform: Platform, source: SourceFile) -> list[Finding]:
    """Every platform rule's findings for ``platform`` read from ``source``."""
    report = Report()
    _check_network(report, platform, source)
    _check_names(report, platform, source)
    _check_zones(report, platform, source)
    _check_versions(report, platform, source)
    return report.findings


def require_platform(platform: Platform, source: SourceFile) -> Platform:
    """``platform``, or a :class:`ConfigError` listing every platform rule it breaks."""
    problems = check_platform(platform, source)
    if problems:
        raise ConfigError(f"{source.display}: invalid platform network settings", findings=problems)
    return platform


def load_platform(root: Path) -> tuple[Platform, SourceFile]:
    """platform.yaml, read, schema-checked and held to the platform rules."""
    platform, source = read_platform(root)
    return require_platform(platform, source), source


def platform_from_text(text: str, path: Path, root: Path) -> tuple[Platform, SourceFile]:
    """platform.yaml from its text (e.g. as it is at a git revision), checked as :func:`load_platform` does."""
    platform, source = read_platform_text(text, path, root)
    return require_platform(platform, source), source


def load_registry(root: Path) -> Registry:
    """The registry, read and schema-checked (``registry.loader``), its platform.yaml held to the platform rules.
    Client rules are not applied here: that is :func:`clientctl.rules.check_registry`."""
    return read_registry(root, platform_file=load_platform(root))


def _check_network(report: Report, platform: Platform, source: SourceFile) -> None:
    net = platform.network
    pools: list[Prefix[str]] = []
    for i, pool in enumerate(net.pools):
        path: list[str | int] = ["network", "pools", i, "cidr"]
        try:
            pool_net = parse_network(pool.cidr)
        except CidrError as exc:
            report.add(
                FORMAT,
                source,
                path,
                str(exc),
                value=pool.cidr,
                hint="write the pool as a network address, e.g. 10.64.0.0/10",
            )
            continue
        if pool_net.prefixlen > net.vpc_prefix_length:
            report.add(
                POOL_SIZE,
                source,
                path,
                f"pool {pool.name} ({pool_net}) is smaller than one VPC (/{net.vpc_prefix_length})",
                value=pool.cidr,
            )
        forbidden = overlapping_special(pool_net, VPC_FORBIDDEN)
        if forbidden:
            report.add(
                FORBIDDEN_RANGE,
                source,
                path,
                f"pool {pool.name} ({pool_net}) overlaps {forbidden.network}, {forbidden.name}",
                value=pool.cidr,
                hint="pools must hold addresses a VPC may use",
            )
        for region in pool.regions or []:
            if region not in platform.regions:
                report.add(
                    UNKNOWN_REGION,
                    source,
                    ["network", "pools", i, "regions"],
                    f"pool {pool.name} names region {region!r}, which is not under 'regions'",
                    value=region,
                    hint=f"known regions: {', '.join(platform.regions)}",
                )
        pools.append(Prefix(pool_net, f"pool {pool.name}"))
    for conflict in find_overlaps(pools):
        report.add(
            POOL_OVERLAP,
            source,
            ["network", "pools"],
            f"{conflict.outer.owner} ({conflict.outer.network}) overlaps {conflict.inner.owner} "
            f"({conflict.inner.network})",
            value=conflict.inner.network,
        )
    for i, reserved in enumerate(net.reserved):
        try:
            parse_network(reserved.cidr)
        except CidrError as exc:
            report.add(
                FORMAT,
                source,
                ["network", "reserved", i, "cidr"],
                str(exc),
                value=reserved.cidr,
                hint="fix the reserved range",
            )
    _check_management(report, platform, source)
    _check_service_cidr(report, platform, source, pools)


def _check_management(report: Report, platform: Platform, source: SourceFile) -> None:
    net = platform.network
    mgmt_nets: list[ipaddress.IPv4Network] = []
    for i, mgmt in enumerate(net.management_cidrs):
        try:
            parsed = parse_network(mgmt)
        except CidrError as exc:
            report.add(
                FORMAT, source, ["network", "management_cidrs", i], str(exc), value=mgmt, hint="fix the management CIDR"
            )
            continue
        if isinstance(parsed, ipaddress.IPv4Network):
            mgmt_nets.append(parsed)
    if not mgmt_nets:
        return
    union = list(ipaddress.collapse_addresses(mgmt_nets))
    total = sum(n.num_addresses for n in union)
    shown = ", ".join(net.management_cidrs)
    path = ["network", "management_cidrs"]
    if union == [ipaddress.IPv4Network("0.0.0.0/0")]:
        report.add(
            MANAGEMENT_OPEN,
            source,
            path,
            "the management CIDRs together cover the whole IPv4 space, so the EKS public API endpoint would "
            "be open to the internet",
            value=shown,
        )
    elif total > net.management_cidrs_max_addresses:
        report.add(
            MANAGEMENT_TOO_WIDE,
            source,
            path,
            f"the management CIDRs together cover {total} addresses, more than "
            f"network.management_cidrs_max_addresses ({net.management_cidrs_max_addresses})",
            value=shown,
        )


def _check_service_cidr(report: Report, platform: Platform, source: SourceFile, pools: list[Prefix[str]]) -> None:
    net = platform.network
    path = ["network", "eks_service_cidr"]
    try:
        svc = parse_network(net.eks_service_cidr)
    except CidrError as exc:
        report.add(FORMAT, source, path, str(exc), value=net.eks_service_cidr, hint="e.g. 172.20.0.0/16")
        return
    # KubernetesNetworkConfigRequest.serviceIpv4Cidr: RFC 1918, between /24 and /12 (checklist 17).
    if not any(svc.subnet_of(r) for r in RFC1918) or not 12 <= svc.prefixlen <= 24:
        report.add(
            EKS_SERVICE_CIDR,
            source,
            path,
            f"EKS service CIDR {svc} must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 and "
            "between /12 and /24 (EKS KubernetesNetworkConfigRequest)",
            value=svc,
            hint="e.g. 172.20.0.0/16 for 10.x VPCs",
        )
    for pool_prefix in pools:
        if svc.overlaps(pool_prefix.network):
            report.add(
                EKS_SERVICE_CIDR,
                source,
                path,
                f"EKS service CIDR {svc} overlaps {pool_prefix.owner} ({pool_prefix.network}); service IPs take "
                "priority over VPC addresses",
                value=svc,
                hint="choose a service range outside every pool",
            )


def _check_names(report: Report, platform: Platform, source: SourceFile) -> None:
    for region, settings in platform.regions.items():
        for environment in platform.environments:
            names = [("s3_bucket", naming.state_bucket(platform.project, environment))]
            names += [
                ("s3_bucket", b) for b in naming.observability_buckets(platform.project, region, environment).values()
            ]
            names.append(("dynamodb_table", naming.lock_table(settings.short_name)))
            for rule_id, name in names:
                problem = naming.check_name(rule_id, name)
                if problem:
                    report.add(
                        NAME_LIMIT,
                        source,
                        ["project"],
                        f"derived name for {region}/{environment}: {problem}",
                        value=platform.project,
                        hint="shorten the project, region short name or environment",
                    )


def _check_zones(report: Report, platform: Platform, source: SourceFile) -> None:
    net = platform.network
    layout = net.subnet_layout
    if net.az_count > layout.max_azs:
        report.add(
            SUBNET_LAYOUT,
            source,
            ["network", "az_count"],
            f"az_count {net.az_count} exceeds subnet_layout.max_azs {layout.max_azs}",
            value=net.az_count,
            hint="raise max_azs (before any client exists) or lower az_count",
        )
    for region, settings in platform.regions.items():
        if net.az_count > len(settings.availability_zones):
            report.add(
                PLATFORM_AZS,
                source,
                ["regions", region, "availability_zones"],
                f"region {region} lists {len(settings.availability_zones)} zones; network.az_count is {net.az_count}",
                value=len(settings.availability_zones),
            )


def _check_versions(report: Report, platform: Platform, source: SourceFile) -> None:
    """versions.kubernetes must have a row in versions.version_matrix (which autoscaler goes with it)."""
    versions = platform.versions
    if versions.kubernetes in versions.version_matrix:
        return
    known = ", ".join(sorted(versions.version_matrix, key=lambda v: tuple(int(p) for p in v.split(".")))) or "none"
    report.add(
        KUBERNETES_VERSION,
        source,
        ["versions", "kubernetes"],
        f"Kubernetes version {versions.kubernetes} has no row in versions.version_matrix, so no "
        "cluster-autoscaler release is known to match it (the autoscaler's minor must equal the cluster's)",
        value=versions.kubernetes,
        hint=f'use one of {known}, or add versions.version_matrix["{versions.kubernetes}"] with the '
        "cluster-autoscaler chart whose appVersion and image tag are "
        f"{versions.kubernetes}.x (chart: X.Y.Z, image_tag: v{versions.kubernetes}.N)",
    )
