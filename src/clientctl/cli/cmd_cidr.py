"""``clientctl cidr validate|allocate|plan``: the runbook's validate-cidr.sh and more."""

from __future__ import annotations

import datetime as dt

import click

from clientctl.cli.app import App, pass_app, print_json, table
from clientctl.errors import ChecksFailed, ExitCode, Finding
from clientctl.ipam.allocate import allocate, capacity, pools_for, used_ranges
from clientctl.ipam.cidr import CidrError
from clientctl.ipam.ledger import load_ledger
from clientctl.ipam.rules import check_registry
from clientctl.ipam.subnets import LayoutError
from clientctl.registry.resolve import client_names, subnet_plan

# The runbook's report sections, each a family of rule ids.
SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("format", "All CIDRs have valid format", ("ipam.format", "ipam.vpc-size", "ipam.cidr-offset")),
    ("duplicates", "No duplicate CIDRs found", ("ipam.duplicate",)),
    (
        "reserved",
        "No CIDR in a reserved or forbidden range, all inside a pool",
        ("ipam.reserved-range", "ipam.forbidden-range", "ipam.pool"),
    ),
    ("overlaps", "No cross-client overlaps", ("ipam.overlap",)),
    ("subnets", "Subnet plans fit their VPCs", ("ipam.subnet-layout", "ipam.subnet-size", "ipam.az-count")),
    ("vpn", "VPN tunnels, ASNs and gateway addresses valid", ("vpn.",)),
]


def _section(finding: Finding) -> str | None:
    for name, _, rules in SECTIONS:
        if any(finding.rule == r or (r.endswith(".") and finding.rule.startswith(r)) for r in rules):
            return name
    return None


@click.group("cidr")
def command() -> None:
    """CIDR registry: validate, allocate the next free block, show a client's subnet plan."""


@command.command("validate")
@pass_app
def validate(app: App) -> None:
    """Check every client CIDR, VPN range and ASN; print the runbook's report. Exit 1 on any error."""
    registry = app.registry()
    ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
    findings = [f for f in check_registry(registry, ledger) if _section(f) is not None]
    errors = [f for f in findings if f.level == "error"]
    bad_clients = {f.client for f in errors if f.field and f.field.startswith("network.vpc_cidr")}
    cidrs = sorted(((c.model.network.vpc_cidr, c.name) for c in registry.clients.values()), key=lambda item: item[1])
    if app.json:
        print_json(
            {
                "ok": not errors,
                "ledger": str(registry.ledger_path),
                "cidrs": [{"client": n, "vpc_cidr": c, "valid": n not in bad_clients} for c, n in cidrs],
                "sections": {name: [f.to_dict() for f in findings if _section(f) == name] for name, _, _ in SECTIONS},
            }
        )
    else:
        click.echo(f"[INFO] Validating CIDR registry: {registry.ledger_path} (from {registry.clients_dir}/)")
        click.echo(f"[INFO] Found {len(cidrs)} client VPC CIDRs")
        for cidr, name in cidrs:
            if name in bad_clients:
                click.secho(f"[ERROR] ✗ Invalid CIDR: {cidr} ({name})", fg="red")
            else:
                click.echo(f"[INFO] ✓ Valid CIDR: {cidr} ({name})")
        for name, success, _ in SECTIONS:
            section = [f for f in findings if _section(f) == name]
            for f in section:
                tag = "[ERROR]" if f.level == "error" else "[WARN]"
                click.secho(f"{tag} {f.render()}", fg="red" if f.level == "error" else "yellow")
            if not any(f.level == "error" for f in section):
                click.secho(f"[SUCCESS] {success}", fg="green")
        verdict = "FAILED" if errors else "PASSED"
        click.secho(
            f"[{'ERROR' if errors else 'SUCCESS'}] CIDR Registry Validation: {verdict}",
            fg="red" if errors else "green",
        )
    if errors:
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)


@command.command("allocate")
@click.option(
    "--prefix-length",
    type=click.IntRange(16, 28),
    default=None,
    help="Size of the block (default: network.vpc_prefix_length).",
)
@click.option("--region", default=None, help="Region whose pools to use (default: the first region).")
@pass_app
def allocate_cmd(app: App, prefix_length: int | None, region: str | None) -> None:
    """Show the next free VPC block and each pool's remaining capacity. Writes nothing:
    `clientctl client add` allocates and records the block."""
    registry = app.registry()
    region = region or next(iter(registry.platform.regions))
    if region not in registry.platform.regions:
        raise click.BadParameter(f"unknown region {region!r}", param_hint="--region")
    ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
    today = dt.date.today()
    allocation = allocate(registry, ledger, region, prefix_length, today)
    prefix = allocation.cidr.prefixlen
    used = used_ranges(registry, ledger, today)
    pools = [capacity(p, prefix, used) for p in pools_for(registry, region)]
    if app.json:
        print_json(
            {
                "cidr": str(allocation.cidr),
                "pool": allocation.pool,
                "warning": allocation.warning,
                "pools": [
                    {
                        "pool": p.pool,
                        "cidr": p.cidr,
                        "prefix_length": p.prefix_length,
                        "total": p.total,
                        "free": p.free,
                        "used_percent": round(p.used_percent, 1),
                    }
                    for p in pools
                ],
            }
        )
        return
    click.echo(f"next free /{prefix}: {allocation.cidr} (pool {allocation.pool}, region {region})")
    rows = [[p.pool, p.cidr, str(p.total), str(p.free), f"{p.used_percent:.0f}%"] for p in pools]
    click.echo(table(rows, ["pool", "cidr", f"/{prefix} blocks", "free", "used"]))
    if allocation.warning:
        click.secho(f"warning: {allocation.warning}", fg="yellow", err=True)


@command.command("plan")
@click.argument("client")
@pass_app
def plan_cmd(app: App, client: str) -> None:
    """Show a client's subnet layout: public, private and EKS subnets per AZ, with usable addresses."""
    registry = app.registry()
    loaded = registry.client(client)
    try:
        subnets = subnet_plan(registry.platform, loaded.model)
    except (CidrError, LayoutError) as exc:
        raise ChecksFailed(f"{loaded.source.display}: cannot plan subnets: {exc}") from None
    names = client_names(registry.platform, loaded.model)
    if app.json:
        print_json(
            {
                "client": client,
                "vpc_cidr": loaded.model.network.vpc_cidr,
                "subnets": [
                    {
                        "tier": s.tier,
                        "az": s.az,
                        "slot": s.slot,
                        "cidr": str(s.cidr),
                        "usable": s.usable,
                        "name": names.subnet(s.tier, s.az),
                    }
                    for s in subnets
                ],
            }
        )
        return
    click.echo(f"{client}: VPC {loaded.model.network.vpc_cidr}")
    rows = [[s.tier, s.az, str(s.cidr), str(s.usable), names.subnet(s.tier, s.az)] for s in subnets]
    click.echo(table(rows, ["tier", "az", "cidr", "usable", "name"]))


def _register_map() -> None:
    """``cidr map``: an SVG of the address pools (kept apart so the commands above stay untouched)."""
    from pathlib import Path

    from clientctl.cli.cmd_graph import write_output
    from clientctl.pictures.cidr_map import outside_pools, pool_bands, to_svg

    @command.command("map")
    @click.option(
        "-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE."
    )
    @pass_app
    def map_cmd(app: App, out: Path | None) -> None:
        """An SVG of every pool: client blocks, reserved, quarantined and free space (open it in a browser).

        \b
        Example: clientctl cidr map -o pools.svg
        """
        registry = app.registry()
        ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
        bands = pool_bands(registry, ledger, dt.date.today())
        write_output(to_svg(bands, outside_pools(registry, bands)), out, "the CIDR map (svg)")


_register_map()
