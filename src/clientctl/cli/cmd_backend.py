"""``clientctl backend provision``: the state bucket, lock table and observability buckets (runbook Step 0)."""

from __future__ import annotations

import click

from clientctl.aws import backend
from clientctl.aws.scope import Scope, resolve_scope, write_backend_files
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, pass_app, print_json, table
from clientctl.cli.aws_options import aws_options, progress
from clientctl.cli.options import ignore_registry_option, yes_option
from clientctl.cli.prompts import confirm


@click.group("backend")
def command() -> None:
    """Terraform backend and observability storage."""


@command.command("provision")
@aws_options
@ignore_registry_option
@click.option("--environment", default=None, help="Environment (default: platform.yaml's, if it has one).")
@click.option("--project-name", default=None, help="Project (default: platform.yaml's project).")
@click.option("--dry-run", is_flag=True, help="Print the exact plan; make no change.")
@click.option("--backend-only", is_flag=True, help="Only the state bucket and the lock table.")
@click.option("--observability-only", is_flag=True, help="Only the four observability buckets.")
@yes_option(force_alias=True)
@pass_app
def provision(
    app: App,
    target: AwsTarget,
    ignore_registry: bool,
    environment: str | None,
    project_name: str | None,
    dry_run: bool,
    backend_only: bool,
    observability_only: bool,
    yes: bool,
) -> None:
    """Create or repair the 5 buckets + 1 lock table, hardened; idempotent (a rerun changes nothing)."""
    if backend_only and observability_only:
        raise click.UsageError("--backend-only and --observability-only exclude each other")
    scope: Scope = resolve_scope(app, target.region, environment, project_name, ignore_registry=ignore_registry)
    spec = scope.spec(include_backend=not observability_only, include_observability=not backend_only)
    with aws_errors(target):
        account = check_credentials(target)
        s3 = target.client("s3", region=scope.region)
        ddb = target.client("dynamodb", region=scope.region)
        result = backend.plan(spec, s3, ddb, account, target.client("s3control", region=scope.region))
        if not app.json:
            _show_plan(result, target)
        if dry_run or result.empty:
            files = write_backend_files(app, scope, dry_run=True) if dry_run else write_backend_files(app, scope)
            if app.json:
                print_json(
                    {"ok": True, "dry_run": dry_run, "changed": False, **result.to_dict(), "backend_files": files}
                )
            elif dry_run:
                click.echo(f"dry run: {len(result.changes)} change(s) planned, none made")
            else:
                click.echo("nothing to change: every resource matches")
            return
        confirm(
            f"Apply {len(result.changes)} change(s) in account {account}?",
            given=yes,
            flag="--yes",
            what="backend provision",
        )
        backend.apply_plan(result, progress=progress)
    files = write_backend_files(app, scope)
    if app.json:
        print_json({"ok": True, "dry_run": False, "changed": True, **result.to_dict(), "backend_files": files})
        return
    click.echo(f"applied {len(result.changes)} change(s)")
    for path in files.get("written", []):
        click.echo(f"wrote     {path}")


def _show_plan(result: backend.Plan, target: AwsTarget) -> None:
    click.echo(f"account {result.account}, {target.describe()}")
    click.echo(table([[name, state] for name, state in result.status.items()], ["resource", "status"]))
    if result.changes:
        click.echo("")
        click.echo(
            table(
                [[c.resource, c.setting, c.current, c.desired] for c in result.changes],
                ["resource", "setting", "current", "desired"],
            )
        )
    for note in result.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
