#!/usr/bin/env python3
"""Rebuild src/clientctl/cost/prices/<region>.json from a downloaded AWS Price List offer file.

    curl -o /tmp/ec2-us-east-2.json \
      https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-2/index.json
    .venv/bin/python tools/refresh_prices.py /tmp/ec2-us-east-2.json --region us-east-2 [--add-type m7i.large]

Keeps the instance types of the current table (plus --add-type), takes NAT gateway and gp3 prices from the
offer, carries the EKS price and the Spot discount over (EKS is another offer; see docs/cost.md). Prints what
changed. Exit 0 written, 2 on a bad file or a missing price. Needs no network.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from clientctl.cost.pricelist import PriceListError, build_table, changes
from clientctl.cost.prices import load_prices, price_file
from clientctl.errors import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("offer", type=Path, help="downloaded AmazonEC2 offer file (index.json) of the region")
    parser.add_argument("--region", default="us-east-2", help="region code (default: us-east-2)")
    parser.add_argument("--base", type=Path, default=None, help="current table (default: the committed one)")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: --base)")
    parser.add_argument("--add-type", action="append", default=[], metavar="TYPE", help="also price TYPE")
    parser.add_argument("--eks-hourly", default=None, help="EKS control plane $/h (default: from --base)")
    parser.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    args = parser.parse_args(argv)
    base_path = args.base or price_file(args.region)
    try:
        base = load_prices(base_path)
        eks = Decimal(args.eks_hourly) if args.eks_hourly is not None else None
        try:
            offer = json.loads(args.offer.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{args.offer}: file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{args.offer}: cannot read the offer file: {exc}") from None
        if not isinstance(offer, dict):
            raise ConfigError(f"{args.offer}: not a price list offer file (expected a JSON object)")
        table = build_table(offer, args.region, [*base.instances, *args.add_type], base, eks_cluster_hourly=eks)
    except InvalidOperation:
        print(f"error: --eks-hourly {args.eks_hourly!r} is not a number", file=sys.stderr)
        return 2
    except (ConfigError, PriceListError) as exc:
        message = exc.message if isinstance(exc, ConfigError) else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 2
    out = args.out or base_path
    diff = changes(base, table)
    print(f"{args.region}: prices as of {table.as_of}; {len(diff)} change(s)")
    for line in diff:
        print(f"  {line}")
    if not args.dry_run:
        out.write_text(table.to_json(), encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
