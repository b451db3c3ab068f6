"""Actual monthly cost per client from AWS Cost Explorer (runbook "Per-Client Cost Tracking").

One ``GetCostAndUsage`` call (paged): ``TimePeriod`` = the month (End is exclusive: the first day of the
next month; the runbook's ``End=2026-01-31`` would drop the last day), ``MONTHLY``, the runbook's
``BlendedCost`` by default, grouped by the ``Client`` tag or by service, filtered by ``Client=C``.

Cost Explorer keys tag groups ``"Client$<value>"``; ``"Client$"`` is cost without the tag. When the tag
is not activated as a cost allocation tag, *all* cost lands in ``"Client$"`` (or no group comes back):
that is detected and explained, since the report would otherwise silently say "everything untagged".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from clientctl.aws.errors import error_code
from clientctl.errors import ChecksFailed, ConfigError

TAG_KEY = "Client"
METRICS = ("BlendedCost", "UnblendedCost", "AmortizedCost")
GroupBy = Literal["Client", "Service"]
UNTAGGED = "(untagged)"
ACTIVATE_HINT = (
    "activate the Client tag in Billing > Cost allocation tags (management account; `aws ce "
    "update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=Client,Status=Active`); "
    "Cost Explorer only groups cost by a tag from the day it is activated (up to 24 h to appear)"
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_period(month: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, first day of the next month) of ``YYYY-MM``; a clear error for anything else."""
    match = _MONTH.match(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ConfigError(f"--month {month}: expected YYYY-MM (e.g. 2026-01)", hint="the month is 01 to 12")
    start = dt.date(int(match.group(1)), int(match.group(2)), 1)
    end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if start > today:
        raise ConfigError(f"--month {month}: that month has not started yet", hint=f"today is {today.isoformat()}")
    return start, end


@dataclass
class CostLine:
    name: str
    amount: Decimal
    unit: str
    in_registry: bool | None = None  # Client grouping only

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "amount": str(self.amount), "unit": self.unit}
        if self.in_registry is not None:
            data["in_registry"] = self.in_registry
        return data


@dataclass
class CostReport:
    month: str
    start: dt.date
    end: dt.date
    metric: str
    group_by: str
    client: str | None
    lines: list[CostLine] = field(default_factory=list)
    estimated: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def unit(self) -> str:
        return self.lines[0].unit if self.lines else "USD"

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "time_period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "metric": self.metric,
            "group_by": self.group_by,
            "client": self.client,
            "estimated": self.estimated,
            "unit": self.unit,
            "total": str(self.total),
            "lines": [line.to_dict() for line in self.lines],
            "notes": self.notes,
        }


class TagNotActive(ChecksFailed):
    """Cost Explorer has cost but none of it is grouped under a Client tag value."""


def request(start: dt.date, end: dt.date, metric: str, group_by: str, client: str | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Granularity": "MONTHLY",
        "Metrics": [metric],
        "GroupBy": [
            {"Type": "TAG", "Key": TAG_KEY} if group_by == "Client" else {"Type": "DIMENSION", "Key": "SERVICE"}
        ],
    }
    if client is not None:
        kwargs["Filter"] = {"Tags": {"Key": TAG_KEY, "Values": [client], "MatchOptions": ["EQUALS"]}}
    return kwargs


def _group_name(key: str, group_by: str) -> str:
    if group_by == "Client":
        value = key.split("$", 1)[1] if "$" in key else key
        return value or UNTAGGED
    return key


def fetch(
    ce: Any,
    month: str,
    *,
    today: dt.date,
    metric: str = "BlendedCost",
    group_by: str = "Client",
    client: str | None = None,
    known_clients: set[str] | None = None,
) -> CostReport:
    start, end = month_period(month, today)
    if metric not in METRICS:
        raise ConfigError(f"unknown metric {metric!r}", hint=f"one of {', '.join(METRICS)}")
    report = CostReport(month, start, end, metric, group_by, client)
    kwargs = request(start, end, metric, group_by, client)
    totals: dict[str, Decimal] = {}
    units: dict[str, str] = {}
    plain_total = Decimal(0)
    try:
        token: str | None = None
        while True:
            page = ce.get_cost_and_usage(**kwargs, **({"NextPageToken": token} if token else {}))
            for period in page.get("ResultsByTime", []):
                report.estimated = report.estimated or bool(period.get("Estimated"))
                for group in period.get("Groups", []):
                    name = _group_name(group["Keys"][0], group_by)
                    value = group.get("Metrics", {}).get(metric, {})
                    totals[name] = totals.get(name, Decimal(0)) + Decimal(str(value.get("Amount", "0")))
                    units.setdefault(name, str(value.get("Unit", "USD")))
                plain_total += Decimal(str(period.get("Total", {}).get(metric, {}).get("Amount", "0")))
            token = page.get("NextPageToken")
            if not token:
                break
    except Exception as exc:
        code = error_code(exc)
        if code in {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}:
            raise ConfigError(
                f"Cost Explorer refused the request ({code}): the caller may not call ce:GetCostAndUsage, or "
                "Cost Explorer is not enabled for this account",
                hint="grant ce:GetCostAndUsage (e.g. the AWSBillingReadOnlyAccess policy) or use a profile that has "
                "it; Cost Explorer must be enabled once in the Billing console",
            ) from exc
        if code == "DataUnavailableException":
            raise ChecksFailed(
                f"Cost Explorer has no data for {month} yet", hint="data appears within 24 h of enabling"
            ) from exc
        raise
    report.lines = [
        CostLine(
            name,
            amount,
            units[name],
            None if group_by != "Client" or name == UNTAGGED else name in (known_clients or set()),
        )
        for name, amount in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    if group_by == "Client":
        tagged = [line for line in report.lines if line.name != UNTAGGED]
        has_cost = any(line.amount for line in report.lines) or plain_total
        if not tagged and has_cost and client is None:
            raise TagNotActive(
                f"Cost Explorer returned {report.unit} {(report.total or plain_total):,.2f} for {month}, none of it "
                f"under a Client tag value: the Client tag is not activated as a cost allocation tag",
                hint=ACTIVATE_HINT,
            )
        if known_clients is not None:
            strangers = sorted(line.name for line in tagged if line.name not in known_clients)
            if strangers:
                report.notes.append(f"not in the registry (offboarded, or a tag typo): {', '.join(strangers)}")
    if client is not None and not report.lines:
        report.notes.append(
            f"no cost tagged Client={client} in {month}; if you expected some, check that the Client tag is "
            "activated (Billing > Cost allocation tags)"
        )
    if report.estimated:
        report.notes.append("Cost Explorer marks these figures as estimated (the month is not closed)")
    return report
