"""Rebuild a price table from the AWS Price List bulk offer file of Amazon EC2 for one region.

The file is ``https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.json``
(several hundred MB): ``products`` (SKU -> product family and attributes) and ``terms.OnDemand``
(SKU -> offer term -> price dimensions, prices as strings in USD). This module reads an already
downloaded file; ``tools/refresh_prices.py`` is the command line around it. The EKS control plane is in
another offer (AmazonEKS) and the Spot discount is a modelling choice, so both are carried over from the
previous table unless given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from clientctl.cost.prices import PriceTable

OFFER_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/{region}/index.json"


class PriceListError(ValueError):
    """The offer file lacks something the table needs, or is not an EC2 offer file."""


def _on_demand_price(offer: Mapping[str, Any], sku: str, unit: str) -> Decimal | None:
    """The first-tier USD price of ``sku`` in ``unit`` from the OnDemand terms, or None."""
    terms = offer.get("terms", {}).get("OnDemand", {}).get(sku, {})
    for term in terms.values():
        for dim in term.get("priceDimensions", {}).values():
            if dim.get("unit") != unit or str(dim.get("beginRange", "0")) not in ("0", ""):
                continue
            try:
                return Decimal(str(dim["pricePerUnit"]["USD"])).normalize()
            except (KeyError, InvalidOperation):
                continue
    return None


def _in_region(attrs: Mapping[str, Any], region: str, location: str) -> bool:
    code = attrs.get("regionCode")
    return code == region if code is not None else bool(location) and attrs.get("location") == location


def build_table(
    offer: Mapping[str, Any],
    region: str,
    instance_types: Iterable[str],
    base: PriceTable,
    *,
    eks_cluster_hourly: Decimal | None = None,
) -> PriceTable:
    """A new table for ``region`` with on-demand Linux prices of ``instance_types``, NAT gateway and gp3
    prices from ``offer``; EKS, Spot discount and hours per month from ``base`` unless overridden."""
    if offer.get("offerCode") != "AmazonEC2" or "products" not in offer:
        raise PriceListError("not an AmazonEC2 price list offer file (offerCode AmazonEC2 with 'products' expected)")
    wanted = sorted(set(instance_types))
    location = base.location if base.region == region else ""
    instances: dict[str, Decimal] = {}
    nat_hourly = nat_per_gb = gp3 = None
    for sku, product in offer["products"].items():
        attrs = product.get("attributes", {})
        if not _in_region(attrs, region, location):
            continue
        family = product.get("productFamily")
        usage = str(attrs.get("usagetype", ""))
        if family == "Compute Instance":
            itype = attrs.get("instanceType")
            if (
                itype in wanted
                and attrs.get("operatingSystem") == "Linux"
                and attrs.get("tenancy") == "Shared"
                and attrs.get("preInstalledSw") == "NA"
                and attrs.get("capacitystatus", "Used") == "Used"
                and attrs.get("licenseModel", "No License required") == "No License required"
                and "BoxUsage" in usage
            ):
                price = _on_demand_price(offer, sku, "Hrs")
                if price is not None:
                    instances[str(itype)] = price
        elif family == "NAT Gateway":
            if usage.endswith("NatGateway-Hours"):
                nat_hourly = _on_demand_price(offer, sku, "Hrs")
            elif usage.endswith("NatGateway-Bytes"):
                nat_per_gb = _on_demand_price(offer, sku, "GB")
        elif family == "Storage" and attrs.get("volumeApiName") == "gp3":
            gp3 = _on_demand_price(offer, sku, "GB-Mo")
    missing = [t for t in wanted if t not in instances]
    if missing:
        raise PriceListError(
            f"no on-demand Linux (shared tenancy) price for {', '.join(missing)} in {region} in the offer file"
        )
    for name, value in (("NAT gateway hours", nat_hourly), ("NAT gateway GB", nat_per_gb), ("gp3 GB-month", gp3)):
        if value is None:
            raise PriceListError(f"no {name} price for {region} in the offer file")
    assert nat_hourly is not None and nat_per_gb is not None and gp3 is not None
    published = str(offer.get("publicationDate", ""))
    try:
        as_of = dt.date.fromisoformat(published[:10])
    except ValueError:
        raise PriceListError(f"offer file has no usable publicationDate ({published!r})") from None
    region_location = next(
        (
            str(p["attributes"]["location"])
            for p in offer["products"].values()
            if p.get("attributes", {}).get("regionCode") == region and "location" in p.get("attributes", {})
        ),
        location,
    )
    source = (
        f"AWS Price List bulk API, AmazonEC2 offer version {offer.get('version', '?')} published {published} "
        f"({OFFER_URL.format(region=region)}): on-demand Linux, shared tenancy, no pre-installed software; "
        "EKS control plane and Spot discount carried over from the previous table. Generated by "
        "tools/refresh_prices.py."
    )
    return PriceTable(
        schema_version=base.schema_version,
        region=region,
        location=region_location,
        currency="USD",
        as_of=as_of,
        source=source,
        hours_per_month=base.hours_per_month,
        eks_cluster_hourly=eks_cluster_hourly if eks_cluster_hourly is not None else base.eks_cluster_hourly,
        nat_gateway_hourly=nat_hourly,
        nat_gateway_per_gb=nat_per_gb,
        ebs_gp3_gb_month=gp3,
        spot_discount=base.spot_discount,
        spot_discount_note=base.spot_discount_note,
        instances=instances,
    )


def changes(old: PriceTable, new: PriceTable) -> list[str]:
    """Human-readable differences between two tables (for the refresh script's summary)."""
    out = []
    for key in ("eks_cluster_hourly", "nat_gateway_hourly", "nat_gateway_per_gb", "ebs_gp3_gb_month"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            out.append(f"{key}: {a} -> {b}")
    for itype in sorted(set(old.instances) | set(new.instances)):
        a, b = old.instances.get(itype), new.instances.get(itype)
        if a != b:
            out.append(f"{itype}: {a if a is not None else '(new)'} -> {b if b is not None else '(dropped)'}")
    return out
