"""``clientctl state versions|restore``: a client's state history (replaces the runbook's "Backup and Disaster
Recovery" state commands)."""

from __future__ import annotations

import click

from clientctl.aws import locks as locks_mod
from clientctl.aws import state as state_mod
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, output_option, pass_app, print_json, table, use_output
from clientctl.cli.aws_options import aws_options, progress
from clientctl.cli.day2_common import ClientScope, actor, client_scope, utcnow
from clientctl.cli.options import LAYER, LAYER_HELP, yes_option
from clientctl.cli.prompts import confirm_typed
from clientctl.errors import ChecksFailed


@click.group("state")
def command() -> None:
    """Versions of a client's Terraform state in the (versioned) state bucket, and restoring one."""


def _scope(app: App, client: str) -> ClientScope:
    registry = app.registry()
    return client_scope(registry, registry.client(client))


def _when(version: state_mod.StateVersion) -> str:
    return version.last_modified.strftime("%Y-%m-%d %H:%M:%S") if version.last_modified else ""


@command.command("versions")
@click.argument("client")
@click.option("--layer", required=True, type=LAYER, metavar="LAYER", help=f"The layer ({LAYER_HELP}).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Newest versions shown.")
@output_option("table", "json")
@aws_options
@pass_app
def versions(app: App, client: str, layer: str, limit: int, fmt: str | None, target: AwsTarget) -> None:
    """Prior versions of CLIENT's state of one layer: version id, date, size, serial, Terraform version.

    \b
    Example:
      clientctl state versions acme-corp --layer 03
    """
    fmt = use_output(app, fmt)
    scope = _scope(app, client)
    key = scope.key(layer)
    with aws_errors(target):
        check_credentials(target)
        s3 = target.client("s3", region=scope.region)
        locks_mod.require_bucket(s3, scope.bucket)
        versioning = state_mod.bucket_versioning(s3, scope.bucket)
        found = state_mod.list_versions(s3, scope.bucket, key, limit)
    notes = []
    if versioning != "Enabled":
        notes.append(
            f"versioning is {versioning} on {scope.bucket}: older states are not kept (clientctl backend provision)"
        )
    if use_output(app, fmt) == "json":
        print_json(
            {"ok": True, "bucket": scope.bucket, "key": key, "versions": [v.to_dict() for v in found], "notes": notes}
        )
        return
    click.echo(f"s3://{scope.bucket}/{key}")
    if not found:
        click.echo(f"no versions: {client} has no state for {layer}")
    else:
        rows = [
            [
                v.version_id,
                _when(v),
                "" if v.size is None else f"{v.size:,}",
                "delete marker" if v.delete_marker else (str(v.doc.serial) if v.doc else "?"),
                v.doc.terraform_version if v.doc else (v.error or ""),
                str(v.doc.resource_count) if v.doc else "",
                "current" if v.is_latest else "",
            ]
            for v in found
        ]
        click.echo(table(rows, ["version id", "last modified (UTC)", "bytes", "serial", "terraform", "resources", ""]))
    for note in notes:
        click.secho(f"note: {note}", fg="yellow", err=True)


@command.command("restore")
@click.argument("client")
@click.option("--layer", required=True, type=LAYER, metavar="LAYER", help=f"The layer ({LAYER_HELP}).")
@click.option("--version-id", required=True, help="The version to make current (see `clientctl state versions`).")
@click.option("--dry-run", is_flag=True, help="Check and show what would happen; change nothing.")
@yes_option()
@output_option("table", "json")
@aws_options
@pass_app
def restore(
    app: App, client: str, layer: str, version_id: str, dry_run: bool, yes: bool, fmt: str | None, target: AwsTarget
) -> None:
    """Make an older version of CLIENT's layer state current again (the current one stays as noncurrent).

    Refused while the state is locked; takes the state lock itself while copying. Keeps the lock table's
    MD5 digest item in step, so Terraform accepts the restored state.

    \b
    Example:
      clientctl state restore acme-corp --layer 03 --version-id 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY --dry-run
    """
    fmt = use_output(app, fmt)
    scope = _scope(app, client)
    key = scope.key(layer)
    json_out = use_output(app, fmt) == "json"
    now = utcnow()
    with aws_errors(target):
        check_credentials(target)
        s3 = target.client("s3", region=scope.region)
        ddb = target.client("dynamodb", region=scope.region)
        locks_mod.require_bucket(s3, scope.bucket)
        plan = state_mod.plan_restore(s3, scope.bucket, key, version_id)
        held = locks_mod.list_locks(s3, ddb, scope.bucket, scope.table, key=key).locks
        source = plan.source
        assert source.doc is not None
        if not json_out:
            click.echo(f"s3://{scope.bucket}/{key}")
            click.echo(
                f"  restore  {source.version_id} ({_when(source)}, serial {source.doc.serial}, "
                f"{source.doc.resource_count} resources, Terraform {source.doc.terraform_version})"
            )
            if plan.current is not None:
                cur = plan.current
                click.echo(
                    f"  current  {cur.version_id} ({_when(cur)}, serial {cur.doc.serial if cur.doc else '?'}): "
                    "kept as a noncurrent version"
                )
            for warning in plan.warnings:
                click.secho(f"warning: {warning}", fg="yellow", err=True)
        if plan.current is not None and plan.current.version_id == source.version_id:
            if json_out:
                print_json({"ok": True, "changed": False, "dry_run": dry_run, **plan.to_dict()})
            else:
                click.echo("that version is already the current state: nothing to do")
            return
        if held:
            lock = held[0]
            raise ChecksFailed(
                f"state is locked by {lock.holder(now)} (lock ID {lock.id}); nothing was restored",
                hint="wait for that run, or release a dead lock with `clientctl lock release`",
            )
        if dry_run:
            if json_out:
                print_json({"ok": True, "changed": False, "dry_run": True, **plan.to_dict()})
            else:
                click.echo("dry run: nothing restored")
            return
        confirm_typed(
            ["yes", client],
            f"Type 'yes' or the client name to restore {client} {layer}",
            given=yes,
            flag="--yes",
            what=f"restoring {client} {layer}",
            piped=True,
        )
        who = actor(target)["who"]
        result = state_mod.restore_version(s3, ddb, plan, scope.table, who, now, progress)
    if json_out:
        print_json({"ok": True, "changed": True, "dry_run": False, **plan.to_dict(), **result.to_dict()})
        return
    click.echo(f"restored: current version is now {result.new_version_id} (a copy of {source.version_id})")
    if result.previous_version_id:
        click.echo(f"previous current version kept as noncurrent: {result.previous_version_id}")
    if result.digest_updated:
        click.echo(f"lock-table digest updated: {result.digest_updated}")
    for note in result.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
