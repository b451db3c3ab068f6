"""``clientctl client add|list|show``."""

from __future__ import annotations

from typing import Any

import click

from clientctl.cli.app import App, pass_app, print_findings, print_json, table
from clientctl.cli.options import client_options, client_request
from clientctl.edits import EditResult, add_client, set_fields
from clientctl.errors import ChecksFailed, refused_request_is_usage_error
from clientctl.ipam.cidr import CidrError
from clientctl.ipam.subnets import LayoutError
from clientctl.registry.resolve import resolve


@click.group("client")
def command() -> None:
    """Add, list and show clients of the registry."""


@command.command("add")
@click.argument("name")
@client_options
@click.option("--region", default=None, help="Region (default: the first region of platform.yaml).")
@click.option("--dry-run", is_flag=True, help="Validate and show the file that would be written; write nothing.")
@pass_app
def add(app: App, /, name: str, region: str | None, dry_run: bool, **fields: Any) -> None:
    """Create clients/NAME.yaml (allocating a CIDR unless given), validate the registry, then render."""
    vpc_cidr = fields["vpc_cidr"]
    request = client_request(name, region, fields)
    with refused_request_is_usage_error():
        result = add_client(app.root, request, dry_run=dry_run)
    if app.json:
        alloc = result.allocation
        print_json(
            _edit_json(
                name,
                result,
                dry_run,
                vpc_cidr=str(alloc.cidr) if alloc else vpc_cidr,
                pool=alloc.pool if alloc else None,
                pool_free_after=alloc.capacity_after.free if alloc else None,
                warning=alloc.warning if alloc else None,
            )
        )
        return
    print_findings(result.warnings)
    if result.allocation:
        alloc = result.allocation
        click.echo(
            f"allocated {alloc.cidr} from pool {alloc.pool} ({alloc.capacity_after.free} "
            f"/{alloc.cidr.prefixlen} block(s) left)"
        )
        if alloc.warning:
            click.secho(f"warning: {alloc.warning}", fg="yellow", err=True)
    _print_edit(result, dry_run, "created", "review and commit them with the client file")


@command.command("set")
@click.argument("name")
@click.argument("assignments", nargs=-1, metavar="PATH=VALUE...")
@click.option("--dry-run", is_flag=True, help="Validate and show the changed file; write nothing.")
@pass_app
def set_cmd(app: App, name: str, assignments: tuple[str, ...], dry_run: bool) -> None:
    """Change fields of clients/NAME.yaml (comments and key order kept), validate, then render.

    \b
    Example: clientctl client set acme-corp eks.desired_size=4 eks.max_size=8
    """
    with refused_request_is_usage_error():
        result = set_fields(app.root, name, assignments, dry_run=dry_run)
    if app.json:
        print_json(_edit_json(name, result, dry_run))
        return
    print_findings(result.warnings)
    _print_edit(result, dry_run, "updated", "plan the affected layers next")


def _edit_json(name: str, result: EditResult, dry_run: bool, **extra: Any) -> dict[str, Any]:
    """What `client add` and `client set` report under -o json; ``extra``: add's allocation fields."""
    return {
        "ok": True,
        "client": name,
        "file": str(result.path),
        "dry_run": dry_run,
        **extra,
        "rendered": result.render.written if result.render else [],
        "warnings": [w.to_dict() for w in result.warnings],
        **({"content": result.text} if dry_run else {}),
    }


def _print_edit(result: EditResult, dry_run: bool, done: str, next_step: str) -> None:
    """The end of `client add`/`set`: the file that would be written (--dry-run), or what was written."""
    if dry_run:
        click.echo(f"--dry-run: would write {result.path}:\n")
        click.echo(result.text)
        return
    click.echo(f"{done} {result.path}")
    if result.render:
        click.echo(f"rendered {len(result.render.written)} file(s); {next_step}")


@command.command("list")
@pass_app
def list_cmd(app: App) -> None:
    """List clients with tier, region, environment and VPC CIDR."""
    registry = app.registry()
    clients = [registry.clients[n].model for n in sorted(registry.clients)]
    if app.json:
        print_json(
            {
                "ok": True,
                "clients": [
                    {
                        "name": c.name,
                        "enabled": c.enabled,
                        "client_code": c.client_code,
                        "tier": c.tier,
                        "region": c.region,
                        "environment": c.environment,
                        "vpc_cidr": c.network.vpc_cidr,
                        "vpn": c.vpn.enabled,
                        "analytics": c.compute.analytics_enabled,
                    }
                    for c in clients
                ],
            }
        )
        return
    rows = [
        [
            c.name,
            "yes" if c.enabled else "no",
            c.client_code,
            c.tier,
            c.region,
            c.environment,
            c.network.vpc_cidr,
            "yes" if c.vpn.enabled else "no",
        ]
        for c in clients
    ]
    click.echo(table(rows, ["name", "enabled", "code", "tier", "region", "environment", "vpc_cidr", "vpn"]))


@command.command("show")
@click.argument("name")
@pass_app
def show(app: App, name: str) -> None:
    """Show the resolved client: defaults and tier applied, subnets, derived names and tags."""
    registry = app.registry()
    loaded = registry.client(name)
    try:
        resolved = resolve(registry.platform, loaded.model)
    except (CidrError, LayoutError, KeyError) as exc:
        raise ChecksFailed(
            f"{loaded.source.display}: cannot resolve the client: {exc}",
            hint="run `clientctl validate` to see every problem",
        ) from None
    if app.json:
        print_json({"ok": True, "client": resolved})
        return
    import yaml

    click.echo(f"# {loaded.source.display}, resolved (tier '{loaded.model.tier}' defaults applied)")
    click.echo(yaml.safe_dump(resolved, sort_keys=False, width=110).rstrip())
