"""``clientctl db snapshot`` (the runbook's manual ``aws ec2 create-snapshot`` of the database volumes)."""

from __future__ import annotations

import click

from clientctl.aws import db_snapshot
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, output_option, pass_app, print_json, use_output
from clientctl.cli.aws_options import aws_options, progress
from clientctl.registry.resolve import client_names, client_tags


@click.group("db")
def command() -> None:
    """The client's PostgreSQL (layer 03): on-demand backups."""


@command.command("snapshot")
@click.argument("client")
@click.option("--dry-run", is_flag=True, help="Only list the volumes that would be snapshotted.")
@output_option("table", "json")
@aws_options
@pass_app
def snapshot(app: App, client: str, dry_run: bool, fmt: str | None, target: AwsTarget) -> None:
    """EBS snapshots of CLIENT's PostgreSQL volumes (those the DLM policy selects), tagged like DLM's.

    No such volume (layer 03 not applied) is exit 1.
    """
    fmt = use_output(app, fmt)
    registry = app.registry()
    model = registry.client(client).model
    names = client_names(registry.platform, model)
    policy_tag = names.snapshot_target_tags["postgres"]
    tags = client_tags(registry.platform, model, "03-database")
    with aws_errors(target):
        check_credentials(target)
        progress(f"looking for volumes tagged SnapshotPolicy={policy_tag} in {model.region}")
        made = db_snapshot.snapshot(
            target.client("ec2", region=model.region), client, policy_tag, tags, dry_run=dry_run
        )
    if fmt == "json":
        print_json({"ok": True, "client": client, "dry_run": dry_run, "snapshots": [s.to_dict() for s in made]})
        return
    for s in made:
        label = s.volume.name or s.volume.id
        click.echo(
            f"would snapshot {s.volume.id} ({label})" if s.id is None else f"{s.id} from {s.volume.id} ({label})"
        )
