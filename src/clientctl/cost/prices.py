"""The committed, dated price table of one region (``cost/prices/<region>.json``).

Prices are strings in the file and :class:`~decimal.Decimal` here, so a monthly figure is exact to the
cent and the table round-trips unchanged through ``tools/refresh_prices.py``. Source, date and the
assumptions (hours per month, the Spot discount) are part of the file; docs/cost.md explains them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clientctl.errors import ConfigError

PRICES_DIR = Path(__file__).resolve().parent / "prices"

Price = Annotated[Decimal, Field(ge=0)]


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    region: str
    location: str = ""
    currency: str = "USD"
    as_of: dt.date
    source: str
    hours_per_month: Annotated[int, Field(ge=672, le=744)] = 730
    eks_cluster_hourly: Price
    nat_gateway_hourly: Price
    nat_gateway_per_gb: Price
    ebs_gp3_gb_month: Price
    spot_discount: Annotated[Decimal, Field(ge=0, lt=1)]
    spot_discount_note: str = ""
    instances: Annotated[dict[str, Price], Field(min_length=1)]
    # Where the table was read from (not part of the file): error messages name it.
    path: str = Field(default="", exclude=True)

    def instance_hourly(self, instance_type: str) -> Decimal:
        """On-demand Linux hourly price; a clear error naming the type and the file when it is missing."""
        try:
            return self.instances[instance_type]
        except KeyError:
            close = difflib.get_close_matches(instance_type, list(self.instances), n=1)
            suggestion = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"no price for instance type {instance_type!r} in {self.path or 'the price table'}",
                hint=f"{suggestion}add it to 'instances' in that file (on-demand Linux $/h for {self.region}), "
                "or regenerate the table with tools/refresh_prices.py --add-type "
                f"{instance_type} (docs/cost.md)",
            ) from None

    def to_json(self) -> str:
        """The file's text: prices as strings, instance types sorted, stable for diffs."""
        data: dict[str, Any] = json.loads(self.model_dump_json())
        data["instances"] = {k: str(self.instances[k]) for k in sorted(self.instances)}
        for key in (
            "eks_cluster_hourly",
            "nat_gateway_hourly",
            "nat_gateway_per_gb",
            "ebs_gp3_gb_month",
            "spot_discount",
        ):
            data[key] = str(getattr(self, key))
        return json.dumps(data, indent=2) + "\n"


def price_file(region: str) -> Path:
    return PRICES_DIR / f"{region}.json"


def load_prices(path: Path) -> PriceTable:
    """Read and check a price table; every problem is a :class:`ConfigError` naming the file."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"price table {display} not found", hint="pass an existing file to --price-file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read price table {display}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"price table {display} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"price table {display} must be a JSON object")
    try:
        table = PriceTable.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise ConfigError(
            f"price table {display} is invalid: {problems}", hint="compare it with src/clientctl/cost/prices/"
        ) from None
    return table.model_copy(update={"path": display})


def prices_for_region(region: str, override: Path | None = None) -> PriceTable:
    """The table for ``region``: ``override`` when given, else the committed ``prices/<region>.json``."""
    if override is not None:
        table = load_prices(override)
    else:
        path = price_file(region)
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PRICES_DIR.glob("*.json"))) or "none"
            raise ConfigError(
                f"no price table for region {region!r} ({path} does not exist)",
                hint=f"committed tables: {known}; build one with tools/refresh_prices.py (docs/cost.md) "
                "or pass --price-file",
            )
        table = load_prices(path)
    if table.region != region:
        raise ConfigError(
            f"price table {table.path} is for region {table.region!r}, the client is in {region!r}",
            hint="pass the table of the client's region",
        )
    return table
