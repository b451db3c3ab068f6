"""Resolve a client: tier presets and platform defaults applied, subnets planned, names and tags derived.

The result is what Terraform receives (docs/adr/ADR-008): complete, typed values, so no layer ever
re-derives a default, a name or a CIDR.
"""

from __future__ import annotations

from typing import Any

from clientctl import naming
from clientctl.ipam.cidr import cidr_offset, parse_network
from clientctl.ipam.subnets import Subnet, plan
from clientctl.registry.models import Client, Platform


def client_names(platform: Platform, client: Client) -> naming.ClientNames:
    return naming.ClientNames(
        client=client.name,
        environment=client.environment,
        region=client.region,
        project=platform.project,
        parent_zone=platform.parent_zone,
    )


def availability_zones(platform: Platform, client: Client) -> list[str]:
    count = client.network.az_count or platform.network.az_count
    return platform.regions[client.region].availability_zones[:count]


def subnet_plan(platform: Platform, client: Client) -> list[Subnet]:
    layout = platform.network.subnet_layout
    return plan(
        parse_network(client.network.vpc_cidr),
        availability_zones(platform, client),
        max_azs=layout.max_azs,
        eks_newbits=layout.eks_newbits,
        private_newbits=layout.private_newbits,
        public_newbits=layout.public_newbits,
    )


def client_tags(platform: Platform, client: Client, layer: str | None = None) -> dict[str, str]:
    return naming.tags(
        client=client.name,
        client_code=client.client_code,
        cost_center=client.metadata.cost_center,
        environment=client.environment,
        tier=client.tier,
        managed_by=platform.managed_by,
        compliance=list(client.metadata.compliance),
        project=platform.project,
        layer=layer,
    )


def _pick(value: Any, default: Any) -> Any:
    return default if value is None else value


def resolve(platform: Platform, client: Client, layer: str | None = None) -> dict[str, Any]:
    """The complete, JSON-ready view of one client. Assumes the registry checks passed."""
    tier = platform.tiers[client.tier]
    azs = availability_zones(platform, client)
    subnets = subnet_plan(platform, client)
    vpc = parse_network(client.network.vpc_cidr)
    names = client_names(platform, client)
    eks, db, compute = client.eks, client.database, client.compute
    nat_azs = azs if tier.nat_gateway_per_az else azs[:1]
    vpn = client.vpn
    return {
        "name": client.name,
        "enabled": client.enabled,
        "client_code": client.client_code,
        "tier": client.tier,
        "region": client.region,
        "environment": client.environment,
        "network": {
            "vpc_cidr": str(vpc),
            "cidr_offset": cidr_offset(vpc),
            "availability_zones": azs,
            "subnets": {
                tier_name: {s.az: str(s.cidr) for s in subnets if s.tier == tier_name}
                for tier_name in ("public", "private", "eks")
            },
            "nat_gateway_azs": nat_azs,
            "eks_service_cidr": platform.network.eks_service_cidr,
        },
        "eks": {
            "enabled": eks.enabled,
            "version": platform.versions.kubernetes,
            "instance_types": list(_pick(eks.instance_types, tier.eks.instance_types)),
            "min_size": _pick(eks.min_size, tier.eks.min_size),
            "max_size": _pick(eks.max_size, tier.eks.max_size),
            "desired_size": _pick(eks.desired_size, tier.eks.desired_size),
            "disk_size": _pick(eks.disk_size, tier.eks.disk_size),
            "capacity_type": _pick(eks.capacity_type, tier.eks.capacity_type),
        },
        "compute": {
            "analytics_enabled": compute.analytics_enabled,
            "instance_type": _pick(compute.instance_type, tier.compute.instance_type),
            "root_volume_size": _pick(compute.root_volume_size, tier.compute.root_volume_size),
            "data_volume_size": _pick(compute.data_volume_size, tier.compute.data_volume_size),
        },
        "storage": {
            "enable_dedicated_buckets": client.storage.enable_dedicated_buckets,
            "backup_retention_days": client.storage.backup_retention_days,
        },
        "database": {
            "enabled": db.enabled,
            "engine_version": platform.versions.postgresql,
            "instance_type": _pick(db.instance_type, tier.database.instance_type),
            "data_volume_size": _pick(db.data_volume_size, tier.database.data_volume_size),
            "wal_volume_size": _pick(db.wal_volume_size, tier.database.wal_volume_size),
            "backup_volume_size": _pick(db.backup_volume_size, tier.database.backup_volume_size),
            "backup_retention_days": _pick(db.backup_retention_days, tier.database.backup_retention_days),
            "replica_enabled": _pick(db.replica_enabled, tier.database.replica_enabled),
            "port": client.security.database_ports[0] if client.security.database_ports else 5432,
        },
        "security": {
            "database_ports": list(client.security.database_ports),
            "custom_ports": list(client.security.custom_ports),
        },
        "vpn": {
            "enabled": vpn.enabled,
            "customer_gateway_ip": vpn.customer_gateway_ip,
            "bgp_asn": vpn.bgp_asn,
            "amazon_side_asn": vpn.amazon_side_asn,
            "static_routes_only": vpn.static_routes_only,
            "local_network_cidr": vpn.local_network_cidr,
            "tunnel1_inside_cidr": vpn.tunnel1_inside_cidr,
            "tunnel2_inside_cidr": vpn.tunnel2_inside_cidr,
            "description": vpn.description,
        },
        "observability": tier.observability.model_dump(),
        "alerting": {
            "emails": list(client.alerting.emails) or [client.metadata.contact_email],
            "slack_channel": client.alerting.slack_channel,
        },
        "metadata": {
            "full_name": client.metadata.full_name,
            "industry": client.metadata.industry,
            "contact_email": client.metadata.contact_email,
            "compliance": list(client.metadata.compliance),
            "cost_center": client.metadata.cost_center,
            "business_unit": client.metadata.business_unit,
        },
        "names": names.as_dict(azs),
        "tags": client_tags(platform, client, layer),
    }
