"""``clientctl cost estimate``: offline monthly estimates from the registry and the committed price table."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import click

from clientctl.aws import cost_report
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, output_option, pass_app, print_json, table, use_output
from clientctl.cli.aws_options import aws_options
from clientctl.cli.day2_common import utcnow
from clientctl.cost.estimate import Assumptions, Estimate, estimate_client, estimate_tiers
from clientctl.cost.prices import PriceTable, prices_for_region
from clientctl.registry import LoadedClient, Registry

CSV_HEADER = [
    "client",
    "tier",
    "current_tier",
    "layer",
    "item",
    "detail",
    "quantity",
    "unit",
    "unit_price_usd",
    "monthly_usd",
]


@click.group("cost")
def command() -> None:
    """Cost estimates (offline, from the registry and a dated price table) and actual cost (Cost Explorer)."""


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _select(registry: Registry, names: tuple[str, ...], all_: bool) -> list[LoadedClient]:
    if all_ and names:
        raise click.UsageError("give client names or --all, not both")
    if not all_ and not names:
        raise click.UsageError("name at least one client, or pass --all (e.g. clientctl cost estimate acme-corp)")
    if all_:
        return [registry.clients[n] for n in sorted(registry.clients)]
    return [registry.client(n) for n in dict.fromkeys(names)]


@command.command("estimate")
@click.argument("clients", nargs=-1, metavar="[CLIENT ...]")
@click.option("--all", "all_", is_flag=True, help="Every client of the registry.")
@output_option("table", "json", "csv")
@click.option("--compare-tiers", is_flag=True, help="Also price each client under every tier of platform.yaml.")
@click.option(
    "--nat-gb",
    type=click.FloatRange(min=0, max=10_000_000),
    default=100.0,
    show_default=True,
    help="Assumed NAT gateway data processed per client and month, in GB.",
)
@click.option(
    "--price-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Price table to use instead of the committed src/clientctl/cost/prices/<region>.json.",
)
@pass_app
def estimate(
    app: App,
    clients: tuple[str, ...],
    all_: bool,
    fmt: str | None,
    compare_tiers: bool,
    nat_gb: float,
    price_file: Path | None,
) -> None:
    """Monthly estimate per client, line by line: EKS, nodes, NAT, database, analytics, EBS, observability.

    \b
    Examples:
      clientctl cost estimate acme-corp
      clientctl cost estimate --all --compare-tiers
      clientctl cost estimate --all --output csv > costs.csv
    """
    registry = app.registry()
    selected = _select(registry, clients, all_)
    assumptions = Assumptions(nat_gb_per_month=Decimal(int(nat_gb)) if nat_gb.is_integer() else Decimal(str(nat_gb)))
    tables: dict[str, PriceTable] = {}
    results: list[tuple[Estimate, dict[str, Estimate]]] = []
    for loaded in selected:
        region = loaded.model.region
        if region not in tables:
            tables[region] = prices_for_region(region, price_file)
        prices = tables[region]
        current = estimate_client(registry.platform, loaded.model, prices, assumptions)
        tiers = estimate_tiers(registry.platform, loaded.model, prices, assumptions) if compare_tiers else {}
        results.append((current, tiers))
    fmt = use_output(app, fmt)
    if fmt == "json":
        _print_json(results, tables, assumptions)
    elif fmt == "csv":
        _print_csv(results)
    else:
        _print_table(results, tables, assumptions)


def _print_json(
    results: list[tuple[Estimate, dict[str, Estimate]]], tables: dict[str, PriceTable], assumptions: Assumptions
) -> None:
    clients = []
    for current, tiers in results:
        entry = current.to_dict()
        del entry["assumptions"]
        if tiers:
            entry["compare_tiers"] = {
                name: {
                    "monthly_total": est.to_dict()["monthly_total"],
                    "difference": float(est.total - current.total),
                    "lines": [line.to_dict() for line in est.lines],
                }
                for name, est in tiers.items()
            }
        clients.append(entry)
    total = sum((current.total for current, _ in results), Decimal(0))
    first = next(iter(tables.values()))
    print_json(
        {
            "ok": True,
            "currency": first.currency,
            "monthly_total": float(total),
            "clients": clients,
            "price_tables": {
                region: {"path": t.path, "as_of": t.as_of.isoformat(), "source": t.source}
                for region, t in tables.items()
            },
            "assumptions": assumptions.describe(first),
        }
    )


def _print_csv(results: list[tuple[Estimate, dict[str, Estimate]]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for current, tiers in results:
        for est in tiers.values() if tiers else [current]:
            for line in est.lines:
                writer.writerow(
                    [
                        est.client,
                        est.tier,
                        current.tier,
                        line.layer,
                        line.item,
                        line.detail,
                        str(line.quantity),
                        line.unit,
                        f"{line.unit_price.normalize():f}",
                        str(line.monthly),
                    ]
                )
    click.echo(buffer.getvalue(), nl=False)


def _print_table(
    results: list[tuple[Estimate, dict[str, Estimate]]], tables: dict[str, PriceTable], assumptions: Assumptions
) -> None:
    for current, tiers in results:
        click.secho(
            f"{current.client} ({current.tier} tier, {current.region}): {_money(current.total)} per month",
            bold=True,
        )
        if tiers:
            _print_comparison(current, tiers)
        else:
            rows = [
                [
                    line.layer,
                    line.item,
                    line.detail,
                    f"{line.quantity:,f} {line.unit}",
                    f"${line.unit_price.normalize():f}",
                    _money(line.monthly),
                ]
                for line in current.lines
            ]
            rows.append(["", "total", "", "", "", _money(current.total)])
            click.echo(table(rows, ["layer", "item", "detail", "quantity", "unit price", "monthly"]))
        click.echo()
    if len(results) > 1:
        rows = [[c.client, c.tier, _money(c.total)] for c, _ in results]
        rows.append(["all clients", "", _money(sum((c.total for c, _ in results), Decimal(0)))])
        click.echo(table(rows, ["client", "tier", "monthly"]))
        click.echo()
    for region, prices in tables.items():
        click.echo(f"prices: {prices.path} ({region}, list prices as of {prices.as_of}; refresh: docs/cost.md)")
    click.echo("assumptions:")
    for text in assumptions.describe(next(iter(tables.values()))):
        click.echo(f"  - {text}")


def _print_comparison(current: Estimate, tiers: dict[str, Estimate]) -> None:
    keys: dict[tuple[str, str], None] = {}
    for est in tiers.values():
        for line in est.lines:
            keys[(line.layer, line.item)] = None
    names = list(tiers)
    rows = []
    for layer, item in keys:
        cells = []
        for name in names:
            found = [line for line in tiers[name].lines if (line.layer, line.item) == (layer, item)]
            cells.append(_money(found[0].monthly) if found else "-")
        rows.append([layer, item, *cells])
    rows.append(["", "total", *[_money(tiers[n].total) for n in names]])
    rows.append(["", f"vs {current.tier} (current)", *[_signed(tiers[n].total - current.total) for n in names]])
    headers = ["layer", "item", *[f"{n}{' *' if n == current.tier else ''}" for n in names]]
    click.echo(table(rows, headers))


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "-" if value < 0 else "±") + _money(abs(value))


@command.command("report")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@click.option("--client", default=None, help="Only this client (filter Client=C).")
@click.option("--group-by", type=click.Choice(["Client", "Service"]), default="Client", show_default=True, help="Rows.")
@click.option(
    "--metric",
    type=click.Choice(list(cost_report.METRICS)),
    default="BlendedCost",
    show_default=True,
    help="Cost Explorer metric (the runbook uses BlendedCost).",
)
@output_option("table", "json", "csv")
@aws_options
@pass_app
def report(
    app: App, month: str, client: str | None, group_by: str, metric: str, fmt: str | None, target: AwsTarget
) -> None:
    """Actual cost of a month from AWS Cost Explorer, per Client tag (or per service).

    \b
    Examples:
      clientctl cost report --month 2026-01
      clientctl cost report --month 2026-01 --client acme-corp --group-by Service --output csv
    """
    fmt = use_output(app, fmt)
    registry = app.registry()
    if client is not None:
        registry.client(client)  # unknown: an error with a suggestion
    today = utcnow().date()
    cost_report.month_period(month, today)  # a malformed month fails before any AWS call
    with aws_errors(target):
        check_credentials(target)
        # Cost Explorer has one endpoint, in us-east-1, whatever the platform's region.
        ce = target.client("ce", region="us-east-1")
        result = cost_report.fetch(
            ce,
            month,
            today=today,
            metric=metric,
            group_by=group_by,
            client=client,
            known_clients=set(registry.clients),
        )
    if fmt == "json":
        print_json({"ok": True, **result.to_dict()})
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["month", group_by.lower(), "metric", "amount", "unit"])
        for line in result.lines:
            writer.writerow([month, line.name, metric, str(line.amount), line.unit])
        click.echo(buffer.getvalue(), nl=False)
        return
    click.secho(
        f"{metric} {result.start.isoformat()} to {result.end.isoformat()} (end exclusive), by {group_by}"
        + (f", Client={client}" if client else ""),
        bold=True,
    )
    rows = [
        [line.name, f"{line.amount:,.2f} {line.unit}", "" if line.in_registry is not False else "not in registry"]
        for line in result.lines
    ]
    rows.append(["total", f"{result.total:,.2f} {result.unit}", ""])
    click.echo(table(rows, [group_by.lower(), "cost", ""]))
    for note in result.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
