"""A client's site-to-site VPN: required fields, the customer gateway, ASNs, tunnel and local CIDRs.

The bracketed numbers are the validation checklist's (docs/ipam.md gives the AWS sources).
"""

from __future__ import annotations

from clientctl.ipam.cidr import (
    LINK_LOCAL,
    VPN_RESERVED_TUNNELS,
    CidrError,
    IPv4Network,
    is_globally_routable,
    parse_address,
    parse_network,
)
from clientctl.registry.loader import LoadedClient
from clientctl.registry.models import Platform
from clientctl.rules.catalog import Report, declare
from clientctl.rules.network import parsed

# IANA-reserved ASNs that are never valid for a customer gateway [25].
IANA_RESERVED_ASNS = frozenset({0, 23456, 65535, 4294967295})
BGP_ASN_MAX_PLAIN = 2_147_483_647  # larger ASNs need BgpAsnExtended (API_CustomerGateway)

REQUIRED = declare(
    "vpn.required",
    "an enabled VPN has gateway IP, BGP ASN (unless static routes), local network and both tunnel CIDRs",
    source="clientctl policy: tunnels must be known to be kept unique",
    hint="set it, or set vpn.enabled: false",
)
CUSTOMER_GATEWAY_IP = declare(
    "vpn.customer-gateway-ip",
    "globally routable IPv4 by our own IANA special-purpose table (not Python's is_global)",
    source="API_CustomerGateway; CVE-2024-4032 changed is_global answers [22]",
)
BGP_ASN = declare(
    "vpn.bgp-asn",
    "1..4294967295, not 0/23456/65535/4294967295, not AWS-reserved (vpn.reserved_bgp_asns in platform.yaml: "
    "7224, 9059, ...); > 2147483647 warns (needs bgp_asn_extended)",
    source="API_CustomerGateway [25]",
    levels=("error", "warning"),
)
AMAZON_SIDE_ASN = declare(
    "vpn.amazon-side-asn",
    "64512..65534 or 4200000000..4294967294",
    source="CreateVpnGateway [26]",
    hint="the default is 64512",
)
ASN_CONFLICT = declare(
    "vpn.asn-conflict",
    "bgp_asn != amazon_side_asn",
    source="AWS returns AsnConflict [27]",
    hint="give the customer gateway a different ASN",
)
TUNNEL_CIDR = declare(
    "vpn.tunnel-cidr",
    "/30 inside 169.254.0.0/16, not one of the 7 AWS-reserved /30s",
    source="VpnTunnelOptionsSpecification [19]",
)
TUNNEL_DUPLICATE = declare(
    "vpn.tunnel-duplicate",
    "tunnel1 != tunnel2; unique registry-wide",
    source="unique per VGW; clientctl keeps them unique everywhere [20]",
)
LOCAL_NETWORK = declare(
    "vpn.local-network",
    "local_network_cidr overlaps neither the client's VPC (the local route wins, traffic is black-holed), nor "
    "the EKS service CIDR, nor another client's VPC",
    source="VPNRoutingTypes [23]",
)

REQUIRED_FIELDS = (
    "customer_gateway_ip",
    "bgp_asn",
    "local_network_cidr",
    "tunnel1_inside_cidr",
    "tunnel2_inside_cidr",
)


def check_vpn(report: Report, platform: Platform, client: LoadedClient) -> None:
    """Everything about one client's VPN that can be judged without the other clients."""
    vpn = client.model.vpn
    if not vpn.enabled:
        return
    for key in REQUIRED_FIELDS:
        # A static-routes VPN never runs BGP: its customer gateway gets the placeholder ASN 65000
        # (modules/client-vpc static_routes_default_bgp_asn), so only a BGP VPN needs bgp_asn.
        if key == "bgp_asn" and vpn.static_routes_only:
            continue
        if getattr(vpn, key) is None:
            when = "vpn.enabled is true" + (" and static_routes_only is false (BGP)" if key == "bgp_asn" else "")
            report.on(client, REQUIRED, ["vpn", key], f"vpn.{key} is required when {when}")
    _check_customer_gateway(report, client)
    _check_asns(report, platform, client)
    _check_tunnels(report, client)
    local = parsed(report, client, ["vpn", "local_network_cidr"], vpn.local_network_cidr)  # [23]
    if local is not None:
        service = parse_network(platform.network.eks_service_cidr)
        if local.overlaps(service):
            report.on(
                client,
                LOCAL_NETWORK,
                ["vpn", "local_network_cidr"],
                f"local_network_cidr {local} overlaps the EKS service CIDR {service}; "
                "traffic to it would never leave the cluster",
                value=local,
                hint="the on-premises range must not collide with the service range",
            )


def _check_customer_gateway(report: Report, client: LoadedClient) -> None:
    vpn = client.model.vpn
    if vpn.customer_gateway_ip is None:  # [22]
        return
    path = ["vpn", "customer_gateway_ip"]
    try:
        addr = parse_address(vpn.customer_gateway_ip)
    except CidrError as exc:
        report.on(
            client,
            CUSTOMER_GATEWAY_IP,
            path,
            str(exc),
            value=vpn.customer_gateway_ip,
            hint="the static public IPv4 of the client's VPN device",
        )
        return
    routable, why = is_globally_routable(addr)
    if not routable:
        report.on(
            client,
            CUSTOMER_GATEWAY_IP,
            path,
            f"customer gateway IP must be a globally routable IPv4 address: {why}",
            value=addr,
            hint="behind NAT, use the NAT device's public address",
        )


def _check_asns(report: Report, platform: Platform, client: LoadedClient) -> None:
    vpn = client.model.vpn
    if vpn.bgp_asn is not None:  # [25]
        asn = vpn.bgp_asn
        path = ["vpn", "bgp_asn"]
        if not 1 <= asn <= 4_294_967_295 or asn in IANA_RESERVED_ASNS:
            report.on(
                client,
                BGP_ASN,
                path,
                f"BGP ASN {asn} is not a usable ASN (1-4294967295, not 0/23456/65535/4294967295)",
                value=asn,
                hint="private ASNs 64512-65534 are the usual choice",
            )
        elif asn in set(platform.vpn.reserved_bgp_asns):
            report.on(
                client,
                BGP_ASN,
                path,
                f"BGP ASN {asn} is reserved by AWS for a region (platform.yaml vpn.reserved_bgp_asns)",
                value=asn,
                hint="choose another ASN, e.g. from 64512-65534",
            )
        elif asn > BGP_ASN_MAX_PLAIN:
            report.on(
                client,
                BGP_ASN,
                path,
                f"BGP ASN {asn} is above 2147483647 and is sent as bgp_asn_extended",
                value=asn,
                level="warning",
            )
    amazon = vpn.amazon_side_asn  # [26]
    if not (64512 <= amazon <= 65534 or 4_200_000_000 <= amazon <= 4_294_967_294):
        report.on(
            client,
            AMAZON_SIDE_ASN,
            ["vpn", "amazon_side_asn"],
            f"amazon_side_asn {amazon} must be in 64512-65534 or 4200000000-4294967294 (CreateVpnGateway)",
            value=amazon,
        )
    if vpn.bgp_asn is not None and vpn.bgp_asn == amazon:  # [27]
        report.on(
            client,
            ASN_CONFLICT,
            ["vpn", "bgp_asn"],
            f"bgp_asn and amazon_side_asn are both {amazon}; AWS rejects this (AsnConflict)",
            value=amazon,
        )


def _check_tunnels(report: Report, client: LoadedClient) -> None:
    vpn = client.model.vpn
    tunnels: list[IPv4Network] = []
    for key in ("tunnel1_inside_cidr", "tunnel2_inside_cidr"):  # [19]
        net = parsed(report, client, ["vpn", key], getattr(vpn, key))
        if net is None:
            continue
        if net.prefixlen != 30 or not net.subnet_of(LINK_LOCAL):
            report.on(
                client,
                TUNNEL_CIDR,
                ["vpn", key],
                f"tunnel inside CIDR {net} must be a /30 inside 169.254.0.0/16",
                value=net,
                hint="e.g. 169.254.10.0/30",
            )
            continue
        if net in VPN_RESERVED_TUNNELS:
            report.on(
                client,
                TUNNEL_CIDR,
                ["vpn", key],
                f"tunnel inside CIDR {net} is one of the 7 blocks AWS reserves "
                "(169.254.0-5.0/30 and 169.254.169.252/30)",
                value=net,
                hint="choose another /30 in 169.254.0.0/16",
            )
            continue
        tunnels.append(net)
    if len(tunnels) == 2 and tunnels[0] == tunnels[1]:  # [20]
        report.on(
            client,
            TUNNEL_DUPLICATE,
            ["vpn", "tunnel2_inside_cidr"],
            f"both tunnels use {tunnels[0]}; each tunnel needs its own /30",
            value=tunnels[0],
        )
