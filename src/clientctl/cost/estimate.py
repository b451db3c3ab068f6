"""Offline monthly cost estimate of one client, line by line, from the resolved client and a price table.

The input is :func:`clientctl.registry.resolve.resolve`'s view (tier presets and client overrides already
applied), so the estimate prices exactly what the layers would create. Every figure that is not in the
registry (hours per month, NAT data volume, database root disks, the Loki volume, the Spot discount) is an
:class:`Assumptions` field or a price-table field, and is listed with every estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from clientctl.cost.prices import PriceTable
from clientctl.errors import ConfigError
from clientctl.ipam.cidr import CidrError
from clientctl.ipam.subnets import LayoutError
from clientctl.layers import DATABASE, FOUNDATION, OBSERVABILITY, PLATFORM, STANDALONE_COMPUTE
from clientctl.registry.models import Client, Platform
from clientctl.registry.resolve import resolve

CENT = Decimal("0.01")

NOT_INCLUDED = (
    "data transfer, load balancers, S3 buckets, CloudWatch logs and metrics, EBS snapshots, KMS keys, "
    "Secrets Manager, Route 53, site-to-site VPN, gp3 IOPS/throughput above the baseline, support, taxes, Savings Plans and Reserved Instances"
)


@dataclass(frozen=True)
class Assumptions:
    """Figures the registry does not hold; each one is printed with the estimate."""

    # Data processed by the client's NAT gateways per month, all AZs together (AWS bills it per GB).
    nat_gb_per_month: Decimal = Decimal(100)
    # modules/postgres-cluster variable root_volume_size (not rendered): per database node.
    database_root_gb: int = 20
    # modules/observability-per-client variable loki_storage_gi (not rendered).
    loki_storage_gi: int = 50

    def describe(self, prices: PriceTable) -> list[str]:
        return [
            f"{prices.hours_per_month} hours per month; every instance runs all month",
            "EKS nodes: desired_size all month (autoscaling between min_size and max_size is not modelled)",
            "ON_DEMAND node groups launch the first listed instance type (EKS prioritized allocation); "
            "SPOT is priced at the average of the listed types",
            f"SPOT = on-demand x (1 - {prices.spot_discount}) (modelled discount, not a Spot price)",
            f"NAT data processing: {self.nat_gb_per_month} GB per month per client (assumed; --nat-gb)",
            f"database root volume: {self.database_root_gb} GB per node (postgres-cluster module default)",
            f"Loki volume: {self.loki_storage_gi} GiB (observability module default); PVCs are gp3, GiB billed as GB",
            f"not included: {NOT_INCLUDED}",
        ]


@dataclass(frozen=True)
class Line:
    """One priced item: ``quantity`` ``unit`` at ``unit_price`` a month."""

    layer: str
    item: str
    detail: str
    quantity: Decimal
    unit: str
    unit_price: Decimal

    @property
    def monthly(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "item": self.item,
            "detail": self.detail,
            "quantity": _num(self.quantity),
            "unit": self.unit,
            "unit_price": _num(self.unit_price),
            "monthly": _num(self.monthly),
        }


@dataclass(frozen=True)
class Estimate:
    client: str
    tier: str
    region: str
    lines: tuple[Line, ...]
    prices: PriceTable
    assumptions: Assumptions = field(default_factory=Assumptions)

    @property
    def total(self) -> Decimal:
        """Sum of the rounded lines, so a printed breakdown adds up to the printed total."""
        return sum((line.monthly for line in self.lines), Decimal(0))

    def by_layer(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.layer] = totals.get(line.layer, Decimal(0)) + line.monthly
        return totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "tier": self.tier,
            "region": self.region,
            "currency": self.prices.currency,
            "monthly_total": _num(self.total),
            "by_layer": {k: _num(v) for k, v in self.by_layer().items()},
            "lines": [line.to_dict() for line in self.lines],
            "price_table": {"path": self.prices.path, "as_of": self.prices.as_of.isoformat()},
            "assumptions": self.assumptions.describe(self.prices),
        }


def _num(value: Decimal) -> float | int:
    """JSON number: an int when whole, else a float (exact enough for cents and list prices)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _gb_line(layer: str, item: str, detail: str, gb: int, prices: PriceTable) -> Line:
    return Line(layer, item, detail, Decimal(gb), "GB-mo", prices.ebs_gp3_gb_month)


def _instance_line(layer: str, item: str, instance_type: str, count: int, prices: PriceTable, detail: str = "") -> Line:
    hourly = prices.instance_hourly(instance_type)
    text = f"{count} x {instance_type}" + (f", {detail}" if detail else "")
    return Line(layer, item, text, Decimal(count * prices.hours_per_month), "h", hourly)


def estimate_resolved(
    resolved: Mapping[str, Any], prices: PriceTable, assumptions: Assumptions | None = None
) -> Estimate:
    """Price a resolved client (the dict of :func:`resolve`)."""
    assumptions = assumptions or Assumptions()
    hours = prices.hours_per_month
    lines: list[Line] = []

    # 01-foundation: NAT gateways (hourly each, plus data processed)
    nat_azs = list(resolved["network"]["nat_gateway_azs"])
    if nat_azs:
        lines.append(
            Line(
                FOUNDATION,
                "NAT gateways",
                f"{len(nat_azs)} x NAT gateway ({', '.join(nat_azs)})",
                Decimal(len(nat_azs) * hours),
                "h",
                prices.nat_gateway_hourly,
            )
        )
        lines.append(
            Line(
                FOUNDATION,
                "NAT data processing",
                "assumed volume (--nat-gb)",
                assumptions.nat_gb_per_month,
                "GB",
                prices.nat_gateway_per_gb,
            )
        )

    # 02-platform: control plane, nodes, node root volumes
    eks = resolved["eks"]
    if eks["enabled"]:
        lines.append(Line(PLATFORM, "EKS control plane", "1 cluster", Decimal(hours), "h", prices.eks_cluster_hourly))
        types = [str(t) for t in eks["instance_types"]]
        hourly = [prices.instance_hourly(t) for t in types]  # every listed type must be priced
        desired = int(eks["desired_size"])
        if desired:
            if eks["capacity_type"] == "SPOT":
                average = sum(hourly, Decimal(0)) / len(hourly)
                unit_price = (average * (1 - prices.spot_discount)).quantize(Decimal("0.000001"))
                shown = "/".join(types)
                detail = f"{desired} x {shown} SPOT (on-demand x {1 - prices.spot_discount})"
            else:
                unit_price = hourly[0]
                others = f" (alternatives {', '.join(types[1:])} not priced in)" if len(types) > 1 else ""
                detail = f"{desired} x {types[0]} ON_DEMAND{others}"
            lines.append(Line(PLATFORM, "EKS nodes", detail, Decimal(desired * hours), "h", unit_price))
            disk = int(eks["disk_size"])
            lines.append(_gb_line(PLATFORM, "EKS node volumes (gp3)", f"{desired} x {disk} GB", desired * disk, prices))

    # 03-database: master (+ replica), each with data, WAL, backup and root volumes
    db = resolved["database"]
    if db["enabled"]:
        nodes = 2 if db["replica_enabled"] else 1
        lines.append(_instance_line(DATABASE, "PostgreSQL master", str(db["instance_type"]), 1, prices))
        if db["replica_enabled"]:
            lines.append(_instance_line(DATABASE, "PostgreSQL replica", str(db["instance_type"]), 1, prices))
        per_node = (
            int(db["data_volume_size"])
            + int(db["wal_volume_size"])
            + int(db["backup_volume_size"])
            + assumptions.database_root_gb
        )
        detail = (
            f"{nodes} node(s) x (data {db['data_volume_size']} + WAL {db['wal_volume_size']} + backup "
            f"{db['backup_volume_size']} + root {assumptions.database_root_gb}) GB"
        )
        lines.append(_gb_line(DATABASE, "PostgreSQL volumes (gp3)", detail, nodes * per_node, prices))

    # 04-standalone-compute: the optional analytics instance
    compute = resolved["compute"]
    if compute["analytics_enabled"]:
        lines.append(_instance_line(STANDALONE_COMPUTE, "analytics instance", str(compute["instance_type"]), 1, prices))
        root, data = int(compute["root_volume_size"]), int(compute["data_volume_size"])
        lines.append(
            _gb_line(
                STANDALONE_COMPUTE, "analytics volumes (gp3)", f"root {root} + data {data} GB", root + data, prices
            )
        )

    # 06-observability: persistent volumes of the in-cluster stack (runs on EKS)
    obs = resolved["observability"]
    if eks["enabled"]:
        replicas, prom = int(obs["prometheus_replicas"]), int(obs["prometheus_storage_gi"])
        lines.append(
            _gb_line(OBSERVABILITY, "Prometheus volumes (gp3)", f"{replicas} x {prom} GiB", replicas * prom, prices)
        )
        grafana = int(obs["grafana_storage_gi"])
        lines.append(_gb_line(OBSERVABILITY, "Grafana volume (gp3)", f"{grafana} GiB", grafana, prices))
        loki = assumptions.loki_storage_gi
        lines.append(_gb_line(OBSERVABILITY, "Loki volume (gp3)", f"{loki} GiB (assumed)", loki, prices))

    return Estimate(
        client=str(resolved["name"]),
        tier=str(resolved["tier"]),
        region=str(resolved["region"]),
        lines=tuple(lines),
        prices=prices,
        assumptions=assumptions,
    )


def estimate_client(
    platform: Platform,
    client: Client,
    prices: PriceTable,
    assumptions: Assumptions | None = None,
    *,
    tier: str | None = None,
) -> Estimate:
    """Estimate ``client``, re-resolved with ``tier`` when given (its own overrides still apply)."""
    if tier is not None:
        client = client.model_copy(update={"tier": tier})
    if client.tier not in platform.tiers:
        raise ConfigError(
            f"client {client.name!r} has tier {client.tier!r}, which platform.yaml does not define",
            hint=f"known tiers: {', '.join(platform.tiers)}",
        )
    if client.region not in platform.regions:
        raise ConfigError(
            f"client {client.name!r} is in region {client.region!r}, which platform.yaml does not define",
            hint="run `clientctl validate`",
        )
    try:
        resolved = resolve(platform, client)
    except (CidrError, LayoutError) as exc:
        raise ConfigError(
            f"cannot resolve client {client.name!r}: {exc}", hint="run `clientctl validate` and fix the registry"
        ) from None
    return estimate_resolved(resolved, prices, assumptions)


def estimate_tiers(
    platform: Platform, client: Client, prices: PriceTable, assumptions: Assumptions | None = None
) -> dict[str, Estimate]:
    """The client's estimate under every tier of platform.yaml (in file order)."""
    return {tier: estimate_client(platform, client, prices, assumptions, tier=tier) for tier in platform.tiers}
