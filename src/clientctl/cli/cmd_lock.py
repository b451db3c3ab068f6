"""``clientctl lock list|release``: Terraform state locks (replaces the runbook's "State Lock Issues" steps)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from clientctl.aws import locks as locks_mod
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, output_option, pass_app, print_json, table, use_output
from clientctl.cli.aws_options import aws_options, progress
from clientctl.cli.day2_common import actor, platform_scopes, utcnow
from clientctl.cli.options import yes_option
from clientctl.cli.prompts import confirm_typed
from clientctl.errors import ChecksFailed


@click.group("lock")
def command() -> None:
    """Terraform state locks: lock-table items and S3 lockfiles of every state key of the platform."""


def _all_locks(app: App, target: AwsTarget) -> tuple[list[locks_mod.Lock], list[str], list[tuple[str, str]]]:
    """(locks, notes, (region, bucket) per scope) over every region x environment of platform.yaml."""
    found: list[locks_mod.Lock] = []
    notes: list[str] = []
    buckets: list[tuple[str, str]] = []
    for region, _env, bucket, table_name in platform_scopes(app.registry()):
        s3 = target.client("s3", region=region)
        locks_mod.require_bucket(s3, bucket)
        listing = locks_mod.list_locks(s3, target.client("dynamodb", region=region), bucket, table_name)
        found += listing.locks
        notes += listing.notes
        buckets.append((region, bucket))
    return found, notes, buckets


@command.command("list")
@click.option("--audit", is_flag=True, help="Show the audit log of released locks instead.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Audit events shown.")
@output_option("table", "json")
@aws_options
@pass_app
def list_(app: App, audit: bool, limit: int, fmt: str | None, target: AwsTarget) -> None:
    """Held locks with owner, operation and age (or, with --audit, who released which lock, when and why)."""
    fmt = use_output(app, fmt)
    now = utcnow()
    with aws_errors(target):
        check_credentials(target)
        if audit:
            events: list[dict[str, Any]] = []
            for region, _env, bucket, _table in platform_scopes(app.registry()):
                s3 = target.client("s3", region=region)
                locks_mod.require_bucket(s3, bucket)
                events += locks_mod.read_audit(s3, bucket, limit)
            _show_audit(app, fmt, events[-limit:])
            return
        held, notes, _ = _all_locks(app, target)
    if use_output(app, fmt) == "json":
        print_json({"ok": True, "locks": [lk.to_dict(now) for lk in held], "notes": notes})
        return
    if not held:
        click.echo("no state locks held")
    else:
        rows = [
            [
                lk.id,
                (lk.state.client or "(default)") if lk.state else "",
                lk.state.layer if lk.state else lk.key,
                lk.who,
                locks_mod.short_operation(lk.operation),
                locks_mod.format_age(lk.age(now)),
                "+".join(lk.sources),
            ]
            for lk in held
        ]
        click.echo(table(rows, ["lock id", "client", "layer", "who", "operation", "age", "held in"]))
    for note in notes:
        click.secho(f"note: {note}", fg="yellow", err=True)


def _show_audit(app: App, fmt: str | None, events: list[dict[str, Any]]) -> None:
    if use_output(app, fmt) == "json":
        print_json({"ok": True, "events": events})
        return
    if not events:
        click.echo("no lock releases recorded")
        return
    rows = [
        [
            str(e.get("when", "")),
            str(e.get("lock", {}).get("id", "")),
            f"{e.get('lock', {}).get('client') or ''} {e.get('lock', {}).get('layer') or ''}".strip(),
            str(e.get("by", {}).get("who", "")),
            str(e.get("lock", {}).get("who", "")),
            "yes" if e.get("forced") else "no",
            str(e.get("reason", "")),
        ]
        for e in events
    ]
    click.echo(table(rows, ["when (UTC)", "lock id", "state", "released by", "holder", "forced", "reason"]))


def _renamed_force(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``lock release --force`` meant "a young lock" here but "skip the prompt" elsewhere: refused by name."""
    if value:
        raise click.UsageError(
            "--force is now --ignore-min-age (release a lock younger than --min-age); --yes skips the prompt",
            ctx,
        )


@command.command("release")
@click.argument("lock_id")
@click.option("--ignore-min-age", "ignore_min_age", is_flag=True, help="Release even a lock younger than --min-age.")
@click.option("--force", "old_force", is_flag=True, hidden=True, callback=_renamed_force, expose_value=False)
@click.option(
    "--min-age",
    type=click.IntRange(0, 100_000),
    default=locks_mod.DEFAULT_MIN_AGE_MINUTES,
    show_default=True,
    help="Minutes: a younger lock probably belongs to a running Terraform and needs --ignore-min-age.",
)
@click.option("--reason", default="", help="Why (recorded in the audit log).")
@yes_option()
@click.option("--dry-run", is_flag=True, help="Show what would be removed; change nothing.")
@output_option("table", "json")
@aws_options
@pass_app
def release(
    app: App,
    lock_id: str,
    ignore_min_age: bool,
    min_age: int,
    reason: str,
    yes: bool,
    dry_run: bool,
    fmt: str | None,
    target: AwsTarget,
) -> None:
    """Release a dead lock (like `terraform force-unlock`) and record who, when and why in the state bucket.

    \b
    Examples:
      clientctl lock list
      clientctl lock release 6f1c2d4e-... --reason "laptop crashed during apply"
    """
    fmt = use_output(app, fmt)
    now = utcnow()
    json_out = use_output(app, fmt) == "json"
    with aws_errors(target):
        check_credentials(target)
        held, _notes, buckets = _all_locks(app, target)
        lock = locks_mod.find_lock(held, lock_id)
        age = lock.age(now)
        young = age is None or age < dt.timedelta(minutes=min_age)
        where = ", ".join(
            f"s3://{lock.bucket}/{lock.key}{locks_mod.LOCKFILE_SUFFIX}"
            if s == "s3"
            else f"{lock.table} item {lock.path}"
            for s in lock.sources
        )
        if not json_out:
            click.echo(f"lock {lock.id} on {lock.path}")
            click.echo(f"  held by {lock.holder(now)}, Terraform {lock.version or '?'}; stored in {where}")
        if young and not ignore_min_age:
            raise ChecksFailed(
                f"lock {lock.id} is {locks_mod.format_age(age)} old (younger than --min-age {min_age} min): "
                "its Terraform run is probably still working; nothing was released",
                hint="check with its holder first; pass --ignore-min-age if that run is certainly dead",
            )
        if dry_run:
            if json_out:
                print_json({"ok": True, "dry_run": True, "lock": lock.to_dict(now), "would_remove": lock.sources})
            else:
                click.echo("dry run: nothing released")
            return
        confirm_typed(
            ["yes", lock.id],
            f"Type 'yes' or the lock ID to release lock {lock.id}",
            given=yes,
            flag="--yes",
            what=f"releasing lock {lock.id}",
            piped=True,
        )
        by = actor(target)
        region = next(r for r, b in buckets if b == lock.bucket)
        s3 = target.client("s3", region=region)
        progress(f"releasing lock {lock.id}")
        removed = locks_mod.release(s3, target.client("dynamodb", region=region), lock)
        event = {
            "event": "lock-release",
            "when": utcnow().isoformat(),
            "by": by,
            "reason": reason or "(none given)",
            "forced": bool(ignore_min_age and young),
            "min_age_minutes": min_age,
            "lock": lock.to_dict(now),
            "removed": removed,
        }
        try:
            audit_key = locks_mod.write_audit(s3, lock.bucket, event, now)
        except Exception as exc:
            raise ChecksFailed(
                f"lock {lock.id} was released, but the audit record could not be written: {exc}",
                hint="record the release by hand (who, when, why)",
            ) from exc
    if json_out:
        print_json(
            {"ok": True, "dry_run": False, "lock": lock.to_dict(now), "removed": removed, "audit_key": audit_key}
        )
        return
    for item in removed:
        click.echo(f"removed {item}")
    click.echo(f"audit: s3://{lock.bucket}/{audit_key}")
