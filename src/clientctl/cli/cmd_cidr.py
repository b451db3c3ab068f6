"""``clientctl cidr validate|allocate|plan``: the runbook's validate-cidr.sh and more."""

from __future__ import annotations

import datetime as dt

import click

from clientctl.cli.app import App, pass_app, print_findings, print_json, table
from clientctl.edits import move_cidr
from clientctl.errors import ChecksFailed, ExitCode, Finding, refused_request_is_usage_error
from clientctl.ipam.allocate import capacity
from clientctl.ipam.cidr import CidrError
from clientctl.ipam.ledger import load_ledger
from clientctl.ipam.subnets import LayoutError
from clientctl.registry.addresses import next_block, pools_for, used_ranges
from clientctl.registry.resolve import client_names, subnet_plan
from clientctl.rules import check_registry, overlaps
from clientctl.rules import network as net

# The runbook's report sections, each a family of declared rules (clientctl.rules): (name, title, success line,
# rule ids; an id ending in "." takes every rule of that family).
SECTIONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("format", "CIDR format", "All CIDRs have valid format", (net.FORMAT.id, net.VPC_SIZE.id, net.CIDR_OFFSET.id)),
    ("duplicates", "Duplicate CIDRs", "No duplicate CIDRs found", (overlaps.DUPLICATE.id,)),
    (
        "reserved",
        "Reserved/forbidden ranges and pool membership",
        "No CIDR in a reserved or forbidden range, all inside a pool",
        (net.RESERVED_RANGE.id, net.FORBIDDEN_RANGE.id, net.POOL.id),
    ),
    ("overlaps", "Cross-client overlaps", "No cross-client overlaps", (overlaps.OVERLAP.id,)),
    (
        "subnets",
        "Subnet plans",
        "Subnet plans fit their VPCs",
        (net.SUBNET_LAYOUT.id, net.SUBNET_SIZE.id, net.AZ_COUNT.id),
    ),
    ("vpn", "VPN", "VPN tunnels, ASNs and gateway addresses valid", ("vpn.",)),
]
# Sections that compare parsed VPC CIDRs: a CIDR that does not parse is not in them (said in their line).
NEEDS_PARSED = ("duplicates", "reserved", "overlaps", "subnets")
# What a VPC CIDR's own line says about it, per section with an error on network.vpc_cidr.
PROBLEM = {
    "format": "Invalid CIDR",
    "duplicates": "Duplicate CIDR",
    "reserved": "CIDR outside the pools or in a reserved range",
    "overlaps": "Overlapping CIDR",
    "subnets": "CIDR whose subnet plan does not fit",
}


def _section(finding: Finding) -> str | None:
    for name, _, _, rules in SECTIONS:
        if any(finding.rule == r or (r.endswith(".") and finding.rule.startswith(r)) for r in rules):
            return name
    return None


def _is_vpc_cidr(finding: Finding) -> bool:
    return finding.level == "error" and finding.field == "network.vpc_cidr"


def _summaries(findings: list[Finding], unparsed: list[str]) -> list[dict[str, object]]:
    """One summary per section, made from that section's findings only (never contradicting them)."""
    out: list[dict[str, object]] = []
    for name, title, success, _ in SECTIONS:
        section = [f for f in findings if _section(f) == name]
        errors = [f for f in section if f.level == "error"]
        complete = not (unparsed and name in NEEDS_PARSED)
        if errors:
            clients = sorted({f.client or f.file or "?" for f in errors})
            line = f"{title}: {len(errors)} error(s) found ({', '.join(clients)})"
        else:
            line = success
        if not complete:
            line += f"; not checked: the CIDR of {', '.join(unparsed)} (invalid format)"
        out.append(
            {
                "section": name,
                "ok": not errors,
                "complete": complete,
                "errors": len(errors),
                "warnings": len(section) - len(errors),
                "line": line,
            }
        )
    return out


@click.group("cidr")
def command() -> None:
    """CIDR registry: validate, allocate the next free block, show a client's subnet plan."""


@command.command("validate")
@pass_app
def validate(app: App) -> None:
    """Check every client CIDR, VPN range and ASN; print the runbook's report. Exit 1 on any error.

    Each client's line says whether its CIDR is well formed and what else is wrong with it (duplicate,
    overlap, pool, subnets); each section's summary line counts that section's findings only.
    """
    registry = app.registry()
    ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
    findings = [f for f in check_registry(registry, ledger) if _section(f) is not None]
    errors = [f for f in findings if f.level == "error"]
    cidrs = sorted(((c.model.network.vpc_cidr, c.name) for c in registry.clients.values()), key=lambda item: item[1])
    problems: dict[str, list[str]] = {name: [] for _, name in cidrs}
    for f in errors:
        section = _section(f)
        if _is_vpc_cidr(f) and f.client in problems and section in PROBLEM and section not in problems[f.client]:
            problems[f.client].append(section)
    order = list(PROBLEM)
    for found in problems.values():
        found.sort(key=order.index)
    unparsed = sorted(
        {f.client for f in errors if f.rule == "ipam.format" and f.field == "network.vpc_cidr" and f.client}
    )
    summaries = _summaries(findings, unparsed)
    if app.json:
        print_json(
            {
                "ok": not errors,
                "ledger": str(registry.ledger_path),
                "cidrs": [
                    {
                        "client": n,
                        "vpc_cidr": c,
                        "valid": not problems[n],
                        "format_valid": "format" not in problems[n],
                        "problems": problems[n],
                    }
                    for c, n in cidrs
                ],
                "sections": {name: [f.to_dict() for f in findings if _section(f) == name] for name, *_ in SECTIONS},
                "summary": summaries,
            }
        )
    else:
        click.echo(f"[INFO] Validating CIDR registry: {registry.ledger_path} (from {registry.clients_dir}/)")
        click.echo(f"[INFO] Found {len(cidrs)} client VPC CIDRs")
        for cidr, name in cidrs:
            if problems[name]:
                label = "; ".join(PROBLEM[p] for p in problems[name])
                valid_format = "" if "format" in problems[name] else "; format valid"
                click.secho(f"[ERROR] ✗ {label}: {cidr} ({name}{valid_format})", fg="red")
            else:
                click.echo(f"[INFO] ✓ Valid CIDR: {cidr} ({name})")
        for (name, *_), summary in zip(SECTIONS, summaries, strict=True):
            for f in (f for f in findings if _section(f) == name):
                tag = "[ERROR]" if f.level == "error" else "[WARN]"
                click.secho(f"{tag} {f.render()}", fg="red" if f.level == "error" else "yellow")
            if not summary["ok"]:
                click.secho(f"[ERROR] ✗ {summary['line']}", fg="red")
            elif not summary["complete"]:
                click.secho(f"[WARN] {summary['line']}", fg="yellow")
            else:
                click.secho(f"[SUCCESS] {summary['line']}", fg="green")
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
    used = used_ranges(registry, ledger, today)
    allocation = next_block(registry, ledger, region, prefix_length, today, used)
    prefix = allocation.cidr.prefixlen
    pools = [capacity(p, prefix, used) for p in pools_for(registry.platform, region)]
    if app.json:
        print_json(
            {
                "ok": True,
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
                "ok": True,
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


@command.command("move")
@click.argument("client")
@click.argument("new_cidr")
@click.option("--dry-run", is_flag=True, help="Validate and show the changed client file; write nothing.")
@pass_app
def move_cmd(app: App, client: str, new_cidr: str, dry_run: bool) -> None:
    """Move CLIENT's VPC to NEW_CIDR deliberately (the VPC and everything in it is replaced).

    Sets network.vpc_cidr, records the block the running VPC has in network.replaces_vpc_cidr (without it,
    `clientctl apply` refuses a vpc_cidr that differs from the client's state), validates, renders, and puts
    the old block into quarantine. Then plan and apply every layer of the client, in a maintenance window,
    with its data backed up (docs/ipam.md 'Moving a client to another CIDR').

    
    Example: clientctl cidr move acme-corp 10.110.0.0/16 --dry-run
    """
    with refused_request_is_usage_error():
        result = move_cidr(app.root, client, new_cidr, dry_run=dry_run)
    steps = [
        f"clientctl db snapshot {client}",
        f"clientctl plan {client}",
        f"clientctl apply {client}",
        f"clientctl client set {client} network.replaces_vpc_cidr=null",
    ]
    if app.json:
        print_json(
            {
                "ok": True,
                "client": client,
                "vpc_cidr": new_cidr,
                "file": str(result.path),
                "dry_run": dry_run,
                "rendered": result.render.written if result.render else [],
                "next": steps,
                "warnings": [w.to_dict() for w in result.warnings],
                **({"content": result.text} if dry_run else {}),
            }
        )
        return
    print_findings([w for w in result.warnings if w.rule != "ipam.vpc-cidr-move"])
    if dry_run:
        click.echo(f"--dry-run: would write {result.path}:\n")
        click.echo(result.text)
        return
    click.echo(f"moved {client} to {new_cidr} in {result.path}; the old block is in quarantine (cidr-registry.yaml)")
    click.echo("next, in a maintenance window (the VPC and everything in it is replaced):")
    click.echo("\n".join(f"  {step}" for step in steps))


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
        write_output(to_svg(bands, outside_pools(registry, bands)), out, "the CIDR map", "svg")


_register_map()
