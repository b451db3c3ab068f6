"""``clientctl status``: clients x layers from the state bucket (replaces the runbook's "Quick client status")."""

from __future__ import annotations

from typing import Any

import click

from clientctl.aws import locks as locks_mod
from clientctl.aws import state as state_mod
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, output_option, pass_app, print_json, table, use_output
from clientctl.cli.aws_options import aws_options, progress
from clientctl.cli.day2_common import client_scope, select_clients, utcnow
from clientctl.cli.options import LAYER, LAYER_HELP
from clientctl.layers import LAYER_NAMES

HEALTH_COLORS = {"ok": "green", "incomplete": "yellow", "locked": "red", "unreadable": "red", "disabled": None}
CELL = {"applied": "✓", "empty": "0", "missing": "-", "unreadable": "?"}


@click.command("status")
@click.argument("clients", nargs=-1, metavar="[CLIENT ...]")
@click.option(
    "--layer",
    "layer_args",
    multiple=True,
    type=LAYER,
    metavar="LAYER",
    help=f"Only these layers (repeat; {LAYER_HELP}).",
)
@output_option("table", "json")
@aws_options
@pass_app
def command(
    app: App, clients: tuple[str, ...], layer_args: tuple[str, ...], fmt: str | None, target: AwsTarget
) -> None:
    """Every client's layers as read from the state bucket: present, serial, age, resources, locks.

    \b
    Cells: ✓ applied (resources), 0 state without resources, - no state, ? unreadable; L = locked.
    Examples:
      clientctl status
      clientctl status acme-corp --output json
    """
    fmt = use_output(app, fmt)
    registry = app.registry()
    selected = select_clients(registry, clients)
    layers = tuple(dict.fromkeys(layer_args)) or LAYER_NAMES
    now = utcnow()
    rows: list[state_mod.ClientStatus] = []
    notes: list[str] = []
    with aws_errors(target):
        check_credentials(target)
        held_by_bucket: dict[tuple[str, str | None], list[locks_mod.Lock]] = {}
        for loaded in selected:
            scope = client_scope(registry, loaded)
            s3 = target.client("s3", region=scope.region)
            if (scope.bucket, scope.table) not in held_by_bucket:
                locks_mod.require_bucket(s3, scope.bucket)
                listing = locks_mod.list_locks(
                    s3, target.client("dynamodb", region=scope.region), scope.bucket, scope.table
                )
                held_by_bucket[(scope.bucket, scope.table)] = listing.locks
                notes += listing.notes
            progress(f"reading {scope.name} ({len(layers)} layers) from s3://{scope.bucket}")
            ref = state_mod.ClientRef(scope.name, loaded.model.enabled, scope.region, scope.environment)
            rows.append(
                state_mod.client_status(s3, scope.bucket, ref, layers, held_by_bucket[(scope.bucket, scope.table)])
            )
    if use_output(app, fmt) == "json":
        print_json(
            {
                "ok": True,
                "generated": now.isoformat(),
                "layers": list(layers),
                "clients": [r.to_dict(now) for r in rows],
                "notes": notes,
            }
        )
        return
    _print(rows, layers, now)
    for note in notes:
        click.secho(f"note: {note}", fg="yellow", err=True)


def _cell(ls: state_mod.LayerState) -> str:
    text = CELL[ls.status]
    if ls.doc is not None:
        text += f" s{ls.doc.serial}"
    return text + (" L" if ls.lock else "")


def _print(rows: list[state_mod.ClientStatus], layers: tuple[str, ...], now: Any) -> None:
    grid = [[r.client, "yes" if r.enabled else "no", *[_cell(ls) for ls in r.layers], r.health] for r in rows]
    click.echo(table(grid, ["client", "enabled", *[ly.split("-", 1)[0] for ly in layers], "health"]))
    click.echo()
    for r in rows:
        click.secho(f"{r.client}: {r.summary(now)}", fg=HEALTH_COLORS.get(r.health))
    details = [
        [
            ls.client,
            ls.layer,
            str(ls.doc.serial) if ls.doc else "",
            ls.last_modified.strftime("%Y-%m-%d %H:%M") if ls.last_modified else "",
            str(ls.doc.resource_count) if ls.doc else "",
            ls.doc.terraform_version if ls.doc else (ls.error or ""),
            ls.lock.holder(now) if ls.lock else "",
        ]
        for r in rows
        for ls in r.layers
        if ls.present or ls.lock
    ]
    if details:
        click.echo()
        click.echo(
            table(details, ["client", "layer", "serial", "last modified (UTC)", "resources", "terraform", "lock"])
        )
