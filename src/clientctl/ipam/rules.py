"""Every registry-wide rule: names, tiers, sizing, ports, CIDRs, subnets, VPN and ASNs.

Rule ids are stable (they appear in JSON output); the ``[N]`` in comments refers to the validation
checklist in docs/ipam.md (with the AWS sources).
Errors make ``validate`` fail; warnings are shown but do not.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clientctl import naming
from clientctl.errors import Finding, Level
from clientctl.ipam.cidr import (
    LINK_LOCAL,
    VPC_AVOID,
    VPC_FORBIDDEN,
    VPN_RESERVED_TUNNELS,
    CidrError,
    IPv4Network,
    cidr_offset,
    is_globally_routable,
    overlapping_special,
    parse_address,
    parse_network,
)
from clientctl.ipam.ledger import Ledger, Released
from clientctl.ipam.overlap import Prefix, find_overlaps
from clientctl.ipam.subnets import LayoutError
from clientctl.registry.loader import LoadedClient, Registry
from clientctl.registry.resolve import client_names, subnet_plan

# EKS cannot place cluster subnets in these AZ IDs (EKS user guide, network-reqs) [16].
EKS_FORBIDDEN_AZ_IDS = frozenset({"use1-az3", "usw1-az2", "cac1-az3"})
# IANA-reserved ASNs that are never valid for a customer gateway [25].
IANA_RESERVED_ASNS = frozenset({0, 23456, 65535, 4294967295})
BGP_ASN_MAX_PLAIN = 2_147_483_647  # larger ASNs need BgpAsnExtended (API_CustomerGateway)


@dataclass(frozen=True)
class Owner:
    """Who holds a prefix in the overlap sweep: a client's field, or the ledger's quarantine."""

    client: str
    field: str
    kind: str  # "vpc", "local", "quarantine"

    def describe(self) -> str:
        if self.kind == "quarantine":
            return f"released CIDR of former client '{self.client}' (in quarantine)"
        what = "VPC" if self.kind == "vpc" else "VPN local network"
        return f"client '{self.client}' {what}"


class Checker:
    def __init__(self, registry: Registry, ledger: Ledger, today: dt.date | None = None) -> None:
        self.registry = registry
        self.platform = registry.platform
        self.ledger = ledger
        self.today = today or dt.date.today()
        self.findings: list[Finding] = []
        self.vpcs: dict[str, IPv4Network] = {}

    # -- helpers -----------------------------------------------------------------------------
    def add(
        self,
        client: LoadedClient,
        path: Sequence[str | int],
        rule: str,
        message: str,
        *,
        value: Any = None,
        hint: str | None = None,
        level: Level = "error",
    ) -> None:
        self.findings.append(
            self.registry.finding(
                client.source,
                path,
                rule=rule,
                message=message,
                value=None if value is None else str(value),
                hint=hint,
                level=level,
                client=client.name,
            )
        )

    def cidr(self, client: LoadedClient, path: Sequence[str | int], text: str | None) -> IPv4Network | None:
        if text is None:
            return None
        try:
            return parse_network(text)
        except CidrError as exc:
            self.add(client, path, "ipam.format", str(exc), value=text, hint="write a network address a.b.c.d/n")
            return None

    # -- entry point -------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        clients = [self.registry.clients[n] for n in sorted(self.registry.clients)]
        for client in clients:
            self.check_references(client)
        self.check_unique_codes(clients)
        for client in clients:
            if client.model.region not in self.platform.regions:
                continue  # nothing below can be judged without the region
            self.check_names(client)
            self.check_sizing(client)
            self.check_ports(client)
            self.check_vpc(client)
            self.check_vpn(client)
        self.check_overlaps(clients)
        return self.findings

    # -- references --------------------------------------------------------------------------
    def check_references(self, client: LoadedClient) -> None:
        m = client.model
        if m.tier not in self.platform.tiers:
            self.add(
                client,
                ["tier"],
                "registry.tier",
                f"tier {m.tier!r} is not defined in platform.yaml",
                value=m.tier,
                hint=f"use one of: {', '.join(self.platform.tiers)}",
            )
        if m.region not in self.platform.regions:
            self.add(
                client,
                ["region"],
                "registry.region",
                f"region {m.region!r} is not under 'regions' in platform.yaml",
                value=m.region,
                hint=f"use one of: {', '.join(self.platform.regions)}, or add the region",
            )
        if m.environment not in self.platform.environments:
            self.add(
                client,
                ["environment"],
                "registry.environment",
                f"environment {m.environment!r} is not listed in platform.yaml",
                value=m.environment,
                hint=f"use one of: {', '.join(self.platform.environments)}",
            )

    def check_unique_codes(self, clients: list[LoadedClient]) -> None:
        by_code: dict[str, list[LoadedClient]] = defaultdict(list)
        for client in clients:
            by_code[client.model.client_code].append(client)
        for code, holders in by_code.items():
            if len(holders) > 1:
                names = ", ".join(h.name for h in holders)
                for holder in holders:
                    self.add(
                        holder,
                        ["client_code"],
                        "registry.client-code-duplicate",
                        f"client_code {code!r} is used by {len(holders)} clients ({names})",
                        value=code,
                        hint="client codes appear in tags and cost reports; give each client its own",
                    )

    # -- names ---------------------------------------------------------------------------------
    def check_names(self, client: LoadedClient) -> None:
        names = client_names(self.platform, client.model)
        for description, rule_id, name in names.checked_names():
            problem = naming.check_name(rule_id, name)
            if problem:
                limit = naming.RULES[rule_id].limit
                spare = limit - len(name)
                hint = (
                    f"shorten the client name by at least {-spare} character(s)"
                    if spare < 0
                    else "use lower-case letters, digits and single hyphens"
                )
                self.add(
                    client,
                    ["name"],
                    "naming.limit",
                    f"the derived {description} breaks an AWS rule: {problem}",
                    value=client.name,
                    hint=hint,
                )

    # -- sizing and ports ----------------------------------------------------------------------
    def check_sizing(self, client: LoadedClient) -> None:
        m = client.model
        tier = self.platform.tiers.get(m.tier)
        if tier is None:
            return
        eks = m.eks
        lo = eks.min_size if eks.min_size is not None else tier.eks.min_size
        hi = eks.max_size if eks.max_size is not None else tier.eks.max_size
        want = eks.desired_size if eks.desired_size is not None else tier.eks.desired_size
        if not lo <= want <= hi:
            self.add(
                client,
                ["eks"],
                "eks.sizing",
                f"node group sizes must satisfy min_size <= desired_size <= max_size; got min {lo}, "
                f"desired {want}, max {hi} (after tier '{m.tier}' defaults)",
                hint="adjust eks.min_size, eks.desired_size or eks.max_size",
            )
        count = m.network.az_count or self.platform.network.az_count
        region = self.platform.regions[m.region]
        if count > len(region.availability_zones):
            self.add(
                client,
                ["network", "az_count"],
                "ipam.az-count",
                f"{count} availability zones requested; region {m.region} lists {len(region.availability_zones)}",
                value=count,
                hint="lower network.az_count or list more zones in platform.yaml",
            )
        if count > self.platform.network.subnet_layout.max_azs:
            self.add(
                client,
                ["network", "az_count"],
                "ipam.az-count",
                f"{count} availability zones requested; subnet_layout.max_azs is "
                f"{self.platform.network.subnet_layout.max_azs}",
                value=count,
                hint="lower network.az_count",
            )
        for az in region.availability_zones[:count]:
            az_id = region.availability_zone_ids.get(az)
            if az_id in EKS_FORBIDDEN_AZ_IDS and m.eks.enabled:
                self.add(
                    client,
                    ["network", "az_count"],
                    "eks.az-id",
                    f"{az} is AZ ID {az_id}, where EKS cannot place cluster subnets (EKS network requirements)",
                    value=az,
                    hint="reorder regions.<region>.availability_zones in platform.yaml to skip it",
                )
        if m.compute.analytics_enabled and m.compute.data_volume_size == 0:
            self.add(client, ["compute", "data_volume_size"], "compute.volume", "data volume cannot be 0")

    def check_ports(self, client: LoadedClient) -> None:
        sec = client.model.security
        seen: dict[int, str] = {}
        for list_name in ("database_ports", "custom_ports"):
            for i, port in enumerate(getattr(sec, list_name)):
                if port in seen:
                    self.add(
                        client,
                        ["security", list_name, i],
                        "security.port-duplicate",
                        f"port {port} is listed twice (also in security.{seen[port]})",
                        value=port,
                        hint="list each port once",
                    )
                else:
                    seen[port] = list_name
        if not sec.database_ports and client.model.database.enabled:
            self.add(
                client,
                ["security", "database_ports"],
                "security.database-port",
                "the database is enabled but no database port is listed",
                hint="add e.g. 5432",
            )

    # -- VPC -----------------------------------------------------------------------------------
    def check_vpc(self, client: LoadedClient) -> None:
        m = client.model
        path = ["network", "vpc_cidr"]
        vpc = self.cidr(client, path, m.network.vpc_cidr)
        if vpc is None:
            return
        recorded = self.ledger.vpc_cidrs.get(client.name)
        if recorded is not None and recorded != m.network.vpc_cidr:
            self.add(
                client,
                path,
                "ipam.vpc-cidr-move",
                f"vpc_cidr changed from {recorded} (cidr-registry.yaml) to {vpc}: a VPC CIDR cannot change in place, "
                "so Terraform replaces the VPC and everything in it (subnets, NAT, EKS, instances, volumes)",
                value=vpc,
                level="warning",
                hint=f"for a client that was never applied this is harmless; otherwise revert it and plan the move "
                f"explicitly (docs/ipam.md 'Moving a client to another CIDR'). `clientctl render` quarantines {recorded}",
            )
        net = self.platform.network
        ok = True
        if not 16 <= vpc.prefixlen <= 28:  # [3] VPC user guide: /16 .. /28
            self.add(
                client,
                path,
                "ipam.vpc-size",
                f"VPC {vpc} is /{vpc.prefixlen}; AWS allows /16 to /28",
                value=vpc,
                hint=f"use a /{net.vpc_prefix_length} from `clientctl cidr allocate`",
            )
            ok = False
        elif vpc.prefixlen != net.vpc_prefix_length:
            self.add(
                client,
                path,
                "ipam.vpc-size",
                f"VPC {vpc} is /{vpc.prefixlen}; the platform allocates /{net.vpc_prefix_length}",
                value=vpc,
                level="warning",
                hint="a different size fragments the pool",
            )
        forbidden = overlapping_special(vpc, VPC_FORBIDDEN)  # [4]
        if forbidden:
            self.add(
                client,
                path,
                "ipam.forbidden-range",
                f"VPC {vpc} overlaps {forbidden.network}, {forbidden.name}",
                value=vpc,
                hint="choose a block from a platform pool",
            )
            ok = False
        avoid = overlapping_special(vpc, VPC_AVOID)  # [7] clientctl policy: an error
        if avoid:
            self.add(
                client,
                path,
                "ipam.reserved-range",
                f"VPC {vpc} overlaps {avoid.network}: {avoid.name}",
                value=vpc,
                hint="choose a block from a platform pool",
            )
        service = parse_network(net.eks_service_cidr)
        if vpc.overlaps(service):  # [17]
            self.add(
                client,
                path,
                "ipam.reserved-range",
                f"VPC {vpc} overlaps the EKS service CIDR {service} (network.eks_service_cidr); service IPs "
                "take priority over VPC addresses",
                value=vpc,
                hint="choose a block outside the service range",
            )
        for i, reserved in enumerate(net.reserved):
            reserved_net = parse_network(reserved.cidr)
            if vpc.overlaps(reserved_net):
                self.add(
                    client,
                    path,
                    "ipam.reserved-range",
                    f"VPC {vpc} overlaps reserved range {reserved_net} ({reserved.reason}; platform.yaml "
                    f"network.reserved[{i}])",
                    value=vpc,
                    hint="choose a block from `clientctl cidr allocate`",
                )
        pools = [p for p in net.pools if p.regions is None or m.region in p.regions]
        if not any(vpc.subnet_of(parse_network(p.cidr)) for p in pools):
            names = ", ".join(f"{p.name} {p.cidr}" for p in pools) or "none"
            self.add(
                client,
                path,
                "ipam.pool",
                f"VPC {vpc} is not inside any pool that serves region {m.region} (pools: {names})",
                value=vpc,
                hint="use `clientctl cidr allocate` or add a pool in platform.yaml",
            )
        offset = cidr_offset(vpc)  # [10]
        if m.network.cidr_offset is not None and m.network.cidr_offset != offset:
            self.add(
                client,
                ["network", "cidr_offset"],
                "ipam.cidr-offset",
                f"cidr_offset {m.network.cidr_offset} does not match vpc_cidr {vpc} (derived offset {offset})",
                value=m.network.cidr_offset,
                hint=f"set cidr_offset: {offset} or remove it (it is derived)",
            )
        if ok:
            self.vpcs[client.name] = vpc
            self.check_subnets(client)

    def check_subnets(self, client: LoadedClient) -> None:
        try:
            subnets = subnet_plan(self.platform, client.model)
        except LayoutError as exc:
            self.add(
                client,
                ["network", "vpc_cidr"],
                "ipam.subnet-layout",
                str(exc),
                value=client.model.network.vpc_cidr,
            )
            return
        for s in subnets:
            if s.tier == "public" and s.cidr.prefixlen > 27:  # [12] ELB needs >= /27 with 8 free IPs
                self.add(
                    client,
                    ["network", "vpc_cidr"],
                    "ipam.subnet-size",
                    f"public subnet {s.cidr} ({s.az}) is smaller than /27, the minimum for load balancers",
                    level="warning",
                    hint="use larger VPCs or lower subnet_layout.public_newbits",
                )
                break
        for s in subnets:
            if s.tier == "eks" and s.cidr.prefixlen > 20:  # [12] prefix delegation needs room
                self.add(
                    client,
                    ["network", "vpc_cidr"],
                    "ipam.subnet-size",
                    f"EKS subnet {s.cidr} ({s.az}) is smaller than the recommended /20 for VPC CNI prefix delegation",
                    level="warning",
                    hint="use /16 VPCs or lower subnet_layout.eks_newbits",
                )
                break

    # -- VPN -----------------------------------------------------------------------------------
    def check_vpn(self, client: LoadedClient) -> None:
        vpn = client.model.vpn
        if not vpn.enabled:
            return
        required = (
            "customer_gateway_ip",
            "bgp_asn",
            "local_network_cidr",
            "tunnel1_inside_cidr",
            "tunnel2_inside_cidr",
        )
        for key in required:
            # A static-routes VPN never runs BGP: its customer gateway gets the placeholder ASN 65000
            # (modules/client-vpc static_routes_default_bgp_asn), so only a BGP VPN needs bgp_asn.
            if key == "bgp_asn" and vpn.static_routes_only:
                continue
            if getattr(vpn, key) is None:
                when = "vpn.enabled is true" + (" and static_routes_only is false (BGP)" if key == "bgp_asn" else "")
                self.add(
                    client,
                    ["vpn", key],
                    "vpn.required",
                    f"vpn.{key} is required when {when}",
                    hint="set it, or set vpn.enabled: false",
                )
        if vpn.customer_gateway_ip is not None:  # [22]
            try:
                addr = parse_address(vpn.customer_gateway_ip)
            except CidrError as exc:
                self.add(
                    client,
                    ["vpn", "customer_gateway_ip"],
                    "vpn.customer-gateway-ip",
                    str(exc),
                    value=vpn.customer_gateway_ip,
                    hint="the static public IPv4 of the client's VPN device",
                )
            else:
                routable, why = is_globally_routable(addr)
                if not routable:
                    self.add(
                        client,
                        ["vpn", "customer_gateway_ip"],
                        "vpn.customer-gateway-ip",
                        f"customer gateway IP must be a globally routable IPv4 address: {why}",
                        value=addr,
                        hint="behind NAT, use the NAT device's public address",
                    )
        if vpn.bgp_asn is not None:  # [25]
            asn = vpn.bgp_asn
            reserved = set(self.platform.vpn.reserved_bgp_asns)
            if not 1 <= asn <= 4_294_967_295 or asn in IANA_RESERVED_ASNS:
                self.add(
                    client,
                    ["vpn", "bgp_asn"],
                    "vpn.bgp-asn",
                    f"BGP ASN {asn} is not a usable ASN (1-4294967295, not 0/23456/65535/4294967295)",
                    value=asn,
                    hint="private ASNs 64512-65534 are the usual choice",
                )
            elif asn in reserved:
                self.add(
                    client,
                    ["vpn", "bgp_asn"],
                    "vpn.bgp-asn",
                    f"BGP ASN {asn} is reserved by AWS for a region (platform.yaml vpn.reserved_bgp_asns)",
                    value=asn,
                    hint="choose another ASN, e.g. from 64512-65534",
                )
            elif asn > BGP_ASN_MAX_PLAIN:
                self.add(
                    client,
                    ["vpn", "bgp_asn"],
                    "vpn.bgp-asn",
                    f"BGP ASN {asn} is above 2147483647 and is sent as bgp_asn_extended",
                    value=asn,
                    level="warning",
                )
        amazon = vpn.amazon_side_asn  # [26]
        if not (64512 <= amazon <= 65534 or 4_200_000_000 <= amazon <= 4_294_967_294):
            self.add(
                client,
                ["vpn", "amazon_side_asn"],
                "vpn.amazon-side-asn",
                f"amazon_side_asn {amazon} must be in 64512-65534 or 4200000000-4294967294 (CreateVpnGateway)",
                value=amazon,
                hint="the default is 64512",
            )
        if vpn.bgp_asn is not None and vpn.bgp_asn == amazon:  # [27]
            self.add(
                client,
                ["vpn", "bgp_asn"],
                "vpn.asn-conflict",
                f"bgp_asn and amazon_side_asn are both {amazon}; AWS rejects this (AsnConflict)",
                value=amazon,
                hint="give the customer gateway a different ASN",
            )
        tunnels: list[IPv4Network] = []
        for key in ("tunnel1_inside_cidr", "tunnel2_inside_cidr"):  # [19]
            net = self.cidr(client, ["vpn", key], getattr(vpn, key))
            if net is None:
                continue
            if net.prefixlen != 30 or not net.subnet_of(LINK_LOCAL):
                self.add(
                    client,
                    ["vpn", key],
                    "vpn.tunnel-cidr",
                    f"tunnel inside CIDR {net} must be a /30 inside 169.254.0.0/16",
                    value=net,
                    hint="e.g. 169.254.10.0/30",
                )
                continue
            if net in VPN_RESERVED_TUNNELS:
                self.add(
                    client,
                    ["vpn", key],
                    "vpn.tunnel-cidr",
                    f"tunnel inside CIDR {net} is one of the 7 blocks AWS reserves "
                    "(169.254.0-5.0/30 and 169.254.169.252/30)",
                    value=net,
                    hint="choose another /30 in 169.254.0.0/16",
                )
                continue
            tunnels.append(net)
        if len(tunnels) == 2 and tunnels[0] == tunnels[1]:  # [20]
            self.add(
                client,
                ["vpn", "tunnel2_inside_cidr"],
                "vpn.tunnel-duplicate",
                f"both tunnels use {tunnels[0]}; each tunnel needs its own /30",
                value=tunnels[0],
            )
        local = self.cidr(client, ["vpn", "local_network_cidr"], vpn.local_network_cidr)  # [23]
        if local is not None:
            service = parse_network(self.platform.network.eks_service_cidr)
            if local.overlaps(service):
                self.add(
                    client,
                    ["vpn", "local_network_cidr"],
                    "vpn.local-network",
                    f"local_network_cidr {local} overlaps the EKS service CIDR {service}; "
                    "traffic to it would never leave the cluster",
                    value=local,
                    hint="the on-premises range must not collide with the service range",
                )

    # -- registry-wide overlaps ------------------------------------------------------------------
    def check_overlaps(self, clients: list[LoadedClient]) -> None:
        prefixes: list[Prefix[Owner]] = [
            Prefix(net, Owner(name, "network.vpc_cidr", "vpc")) for name, net in self.vpcs.items()
        ]
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
                    net = None  # reported by check_vpn
                if net is not None:
                    bucket.append(Prefix(net, Owner(client.name, f"vpn.{key}", kind)))
        for released in self.ledger.quarantined(self.today):
            if returns_to(self.registry, released):
                continue  # a client moving back to its own quarantined block (its VPC still has it)
            prefixes.append(
                Prefix(
                    released.vpc_cidr,
                    Owner(released.client, f"released until {released.quarantine_until}", "quarantine"),
                )
            )
        for conflict in find_overlaps(prefixes):
            self.report_overlap(conflict.outer, conflict.inner, conflict.duplicate)
        for conflict in find_overlaps(tunnels):
            a, b = conflict.outer.owner, conflict.inner.owner
            if a.client == b.client:
                continue  # tunnel1 == tunnel2 is reported by check_vpn
            for owner, other in ((a, b), (b, a)):
                self.add(
                    self.registry.clients[owner.client],
                    owner.field.split("."),
                    "vpn.tunnel-duplicate",
                    f"tunnel inside CIDR {conflict.inner.network} is also used by client '{other.client}' "
                    f"({other.field}); clientctl keeps tunnel CIDRs unique registry-wide",
                    value=conflict.inner.network,
                    hint="choose another /30 in 169.254.0.0/16",
                )

    def report_overlap(self, outer: Prefix[Owner], inner: Prefix[Owner], duplicate: bool) -> None:
        a, b = outer.owner, inner.owner
        if a.kind == "local" and b.kind == "local":
            return  # two clients' on-premises ranges never meet: each VPN has its own gateway
        if a.kind == "quarantine" and b.kind == "quarantine":
            return
        rule = "ipam.duplicate" if duplicate and a.kind == b.kind == "vpc" else "ipam.overlap"
        relation = "is the same block as" if duplicate else "overlaps"
        for owner, other, net, other_net in (
            (a, b, outer.network, inner.network),
            (b, a, inner.network, outer.network),
        ):
            if owner.kind == "quarantine" or owner.client not in self.registry.clients:
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
            rule_id = "vpn.local-network" if owner.kind == "local" else rule
            self.add(
                self.registry.clients[owner.client],
                owner.field.split("."),
                rule_id,
                message,
                value=net,
                hint=hint,
            )


def check_registry(registry: Registry, ledger: Ledger, today: dt.date | None = None) -> list[Finding]:
    return Checker(registry, ledger, today).run()


def returns_to(registry: Registry, released: Released) -> bool:
    """Whether the client a block was released by has that very block as its vpc_cidr again."""
    loaded = registry.clients.get(released.client)
    if loaded is None:
        return False
    try:
        return parse_network(loaded.model.network.vpc_cidr) == released.vpc_cidr
    except CidrError:
        return False
