"""``clientctl s3 verify|destroy|emergency-cleanup`` (runbook verify-s3-security.sh, destroy-s3-buckets.sh,
emergency-s3-cleanup.sh)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from clientctl import paths, sandbox
from clientctl.aws import backend, emergency, s3_audit, s3_destroy
from clientctl.aws.errors import error_code
from clientctl.aws.scope import Scope, resolve_scope
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.cli.app import App, pass_app, print_json
from clientctl.cli.aws_options import aws_options, progress
from clientctl.cli.options import confirm_option, ignore_registry_option, yes_option
from clientctl.cli.prompts import check_confirmed, confirm, confirm_destroy, confirm_typed, require_confirmation
from clientctl.errors import ChecksFailed, ClientctlError, ConfigError, ExitCode

TYPES = ("logs", "traces", "metrics", "audit_logs", "audit-logs", "backend-state", "all")
ICONS = {"PASS": "✓", "FAIL": "✗", "ERROR": "!"}
COLORS = {"PASS": "green", "FAIL": "red", "ERROR": "magenta"}


@click.group("s3")
def command() -> None:
    """Audit, destroy and rescue the platform's S3 buckets."""


@command.command("verify")
@aws_options
@ignore_registry_option
@click.option("--bucket", "buckets", multiple=True, help="Bucket to audit (repeatable). Default: discover by name.")
@click.option("--project-name", default=None, help="Project (default: platform.yaml).")
@click.option("--environment", default=None, help="Environment (default: platform.yaml's, if only one).")
@click.option(
    "--min-severity",
    type=click.Choice(s3_audit.SEVERITIES),
    default="low",
    show_default=True,
    help="Exit 1 only for FAIL/ERROR at or above this severity.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Buckets audited at once.")
@pass_app
def verify(
    app: App,
    target: AwsTarget,
    ignore_registry: bool,
    buckets: tuple[str, ...],
    project_name: str | None,
    environment: str | None,
    min_severity: str,
    workers: int,
) -> None:
    """Audit buckets and the lock table against the reference's checks (A1-A20)."""
    scope = resolve_scope(app, target.region, environment, project_name, ignore_registry=ignore_registry)
    spec = scope.spec()
    findings: list[s3_audit.AuditFinding] = []
    with aws_errors(target):
        account = check_credentials(target)
        s3 = target.client("s3", region=scope.region)
        if buckets:
            for name in buckets:
                if not backend.bucket_exists(s3, name, account):
                    raise ConfigError(
                        f"--bucket {name}: no such bucket in this account",
                        hint="check the name (`aws s3 ls`), --region and credentials",
                    )
            selected = [(name, spec.bucket(name)) for name in buckets]
            table_name = None
        else:
            progress("Finding S3 buckets related to our infrastructure...")
            existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
            selected = [(b.name, b) for b in spec.buckets if b.name in existing]
            findings += [
                s3_audit.AuditFinding(
                    b.name, "s3.exists", "high", "FAIL", "expected bucket does not exist", "clientctl backend provision"
                )
                for b in spec.buckets
                if b.name not in existing
            ]
            table_name = scope.lock_table
            progress(f"Found {len(selected)} bucket(s) to verify")
        findings += s3_audit.run_audit(
            s3,
            target.client("s3control", region=scope.region),
            target.client("dynamodb", region=scope.region),
            account,
            selected,
            table_name,
            workers=workers,
        )
    failing = [f for f in findings if f.counts(min_severity)]
    info = _info_not_met(findings)
    gaps = (
        sandbox.FIDELITY_GAPS
        if info and sandbox.is_sandbox_endpoint(target.effective_endpoint, target.ca_bundle)
        else {}
    )
    if app.json:
        print_json(
            {
                "ok": not failing,
                "min_severity": min_severity,
                "findings": [f.to_dict() for f in findings],
                "summary": _summary(findings),
                "info_not_met": {
                    check: {"count": count, "sandbox_gap": gaps.get(check)} for check, count in info.items()
                },
            }
        )
    else:
        current = None
        for f in findings:
            if f.bucket != current:
                current = f.bucket
                click.echo(f"╭─ Verifying {'bucket' if f.bucket != scope.lock_table else 'lock table'}: {f.bucket}")
            click.secho(
                f"│ {ICONS[f.status]} {f.status:<5} {f.severity:<8} {f.check:<32} {f.detail}",
                fg=COLORS[f.status] if f.status != "PASS" or app.verbose else None,
            )
            if f.status != "PASS" and f.remedy:
                click.echo(f"│     remedy: {f.remedy}")
            if f.status != "PASS" and f.check in gaps:
                click.echo(f"│     sandbox: {gaps[f.check]} (not a finding about the bucket)")
        s = _summary(findings)
        info_text = ""
        if info:
            detail = "; ".join(f"{check}: {gaps[check]}" if check in gaps else check for check in info)
            info_text = f", {sum(info.values())} info-level not met ({detail})"
        click.echo(
            f"\n{s['PASS']} passed, {s['FAIL']} failed, {s['ERROR']} errors{info_text}; "
            f"{len(failing)} at or above {min_severity}"
        )
    if failing:
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)


def _is_info(finding: s3_audit.AuditFinding) -> bool:
    return finding.status != "PASS" and finding.severity == "info"


def _summary(findings: list[s3_audit.AuditFinding]) -> dict[str, int]:
    """PASS, FAIL and ERROR counts; an info-level check that is not met is counted apart (INFO), not as a
    failure: info checks are advice (docs/aws-operations.md) and never fail the exit code by default."""
    counts = {k: sum(1 for f in findings if f.status == k and not _is_info(f)) for k in ("PASS", "FAIL", "ERROR")}
    return {**counts, "INFO": sum(1 for f in findings if _is_info(f))}


def _info_not_met(findings: list[s3_audit.AuditFinding]) -> dict[str, int]:
    """check id -> how many buckets/tables did not meet that info-level check."""
    found: dict[str, int] = {}
    for f in findings:
        if _is_info(f):
            found[f.check] = found.get(f.check, 0) + 1
    return found


@contextlib.contextmanager
def _say_what_changed(bucket: str, fixed: list[str]) -> Iterator[None]:
    """A refused confirmation after some fixes were applied must not say "nothing was done" (issue 13.7)."""
    try:
        yield
    except (ClientctlError, click.exceptions.Abort) as exc:
        if not fixed:
            raise
        reason = exc.message if isinstance(exc, ClientctlError) else "aborted"
        raise ConfigError(
            f"{bucket}: stopped ({reason.replace('; nothing was done', '')}); already applied: {', '.join(fixed)}; "
            "the bucket and its objects are still there",
            hint=f"rerun `clientctl s3 emergency-cleanup --bucket {bucket}` to continue: the diagnosis starts again "
            "and the applied fixes are no longer needed",
        ) from exc


def _repo_root(app: App) -> Path | None:
    """The repository root, or None outside one (then backups go to the user's state folder)."""
    try:
        return app.root
    except ConfigError:
        return None


def _select(scope: Scope, bucket: str | None, bucket_type: str | None) -> list[str]:
    names = scope.buckets()
    if bucket:
        if bucket not in names.values():
            raise ConfigError(
                f"--bucket {bucket} is not one of this platform's buckets "
                f"({scope.project}, {scope.region}, {scope.environment})",
                hint="expected one of: " + ", ".join(names.values()) + " (check --region/--environment)",
            )
        return [bucket]
    if bucket_type is None:
        raise click.UsageError("pass --type or --bucket")
    kind = bucket_type.replace("-", "_") if bucket_type == "audit-logs" else bucket_type
    if kind == "all":
        return list(names.values())  # observability first, the state bucket last
    return [names[kind]]


@command.command("destroy")
@aws_options
@ignore_registry_option
@click.option("--environment", default=None, help="Environment (default: platform.yaml's, if only one).")
@click.option("--project-name", default=None, help="Project (default: platform.yaml).")
@click.option("--type", "bucket_type", type=click.Choice(TYPES), default=None, help="Which bucket(s).")
@click.option("--bucket", default=None, help="One bucket by name (must be one of the platform's).")
@click.option("--dry-run", is_flag=True, help="Show the inventory and what would happen; delete nothing.")
@confirm_option("bucket")
@click.option(
    "--force", is_flag=True, help="Runbook alias: --confirm for every selected bucket (the state bucket too)."
)
@click.option(
    "--backup",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[DIR|s3://bucket/prefix]",
    help=(
        "Back up current objects first (verified). Default for the state bucket. Without a value: "
        "<repo>/.clientctl/backups/<time>/ (ignored by git), created only when something is written."
    ),
)
@click.option("--no-backup", is_flag=True, help="Destroy the state bucket without a backup.")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent DeleteObjects calls."
)
@pass_app
def destroy(
    app: App,
    target: AwsTarget,
    ignore_registry: bool,
    environment: str | None,
    project_name: str | None,
    bucket_type: str | None,
    bucket: str | None,
    dry_run: bool,
    confirmed: tuple[str, ...],
    force: bool,
    backup: str | None,
    no_backup: bool,
    workers: int,
) -> None:
    """Empty (every version, delete marker and upload) and delete buckets; the state bucket last."""
    scope = resolve_scope(app, target.region, environment, project_name, ignore_registry=ignore_registry)
    names = _select(scope, bucket, bucket_type)
    confirmed = tuple(names) if force else confirmed
    check_confirmed(confirmed, names, "bucket")
    default_backup = str(paths.default_backup_dir(_repo_root(app)))
    if backup == "":
        backup = default_backup
    results: list[dict[str, Any]] = []
    with aws_errors(target):
        account = check_credentials(target)
        s3 = target.client("s3", region=scope.region)
        inventories = [s3_destroy.inventory(s3, name, account=account) for name in names]
        for inv in inventories:
            if not app.json:
                click.echo(inv.summary())
                for lv in inv.locked:
                    click.echo(
                        f"  locked: {lv.key} ({lv.version_id}) mode={lv.mode} until={lv.retain_until} "
                        f"legal_hold={'ON' if lv.legal_hold else 'OFF'}"
                    )
        blocked = [inv for inv in inventories if inv.exists and (inv.locked or inv.mfa_delete)]
        if blocked:
            reasons = "; ".join(
                f"{i.bucket}: " + ("MFA delete on" if i.mfa_delete else f"{len(i.locked)} locked") for i in blocked
            )
            raise ChecksFailed(
                f"cannot destroy: {reasons}; nothing was deleted",
                hint="`clientctl s3 emergency-cleanup --bucket NAME` diagnoses and fixes what it can",
            )
        todo = [inv for inv in inventories if inv.exists]
        state = scope.state_bucket
        state_backup = backup
        if any(inv.bucket == state for inv in todo) and backup is None and not no_backup:
            state_backup = default_backup
        if dry_run:
            if app.json:
                print_json({"ok": True, "dry_run": True, "buckets": [i.to_dict() for i in inventories]})
            else:
                click.echo(f"dry run: would destroy {len(todo)} bucket(s): " + ", ".join(i.bucket for i in todo))
            return
        for inv in todo:
            bucket_backup = state_backup if inv.bucket == state else backup
            if bucket_backup:
                s3_destroy.check_backup_destination(bucket_backup, s3)
        require_confirmation([inv.bucket for inv in todo], confirmed, "destroying the buckets")
        for inv in todo:
            confirm_destroy(
                inv.bucket,
                f"Type the bucket name to destroy {inv.bucket}",
                confirmed=confirmed,
                what=f"destroying {inv.bucket}",
            )
            if inv.bucket == state and inv.bucket not in confirmed:
                confirm_typed(
                    "delete terraform state",
                    "This is the Terraform state of every client. Type 'delete terraform state' to continue",
                    given=False,
                    flag=f"--confirm {inv.bucket}",
                    what="destroying the state bucket",
                )
            bucket_backup = state_backup if inv.bucket == state else backup
            info: dict[str, Any] = {"bucket": inv.bucket}
            if bucket_backup:
                info["backup"] = s3_destroy.backup_bucket(s3, inv.bucket, bucket_backup, progress).__dict__
            stats = s3_destroy.destroy(s3, inv.bucket, workers=workers, progress=progress)
            info.update(stats.to_dict())
            results.append(info)
    if app.json:
        print_json(
            {
                "ok": True,
                "dry_run": False,
                "destroyed": results,
                "absent": [i.bucket for i in inventories if not i.exists],
            }
        )
    else:
        for info in results:
            click.echo(
                f"destroyed {info['bucket']}: {info['deleted']} version(s)/marker(s) in "
                f"{info['delete_calls']} DeleteObjects call(s), {info['seconds']:.1f}s"
            )


@command.command("emergency-cleanup")
@aws_options
@ignore_registry_option
@click.option("--bucket", required=True, help="The stuck bucket.")
@click.option("--environment", default=None, help="Environment (default: platform.yaml's, if only one).")
@click.option("--project-name", default=None, help="Project (default: platform.yaml).")
@click.option("--dry-run", is_flag=True, help="Diagnose only.")
@yes_option()
@confirm_option("bucket")
@click.option("--force", is_flag=True, help="Runbook alias: --yes and --confirm BUCKET.")
@click.option(
    "--large-threshold",
    type=click.IntRange(1),
    default=emergency.LARGE_BUCKET_VERSIONS,
    show_default=True,
    help="Versions above which a lifecycle expiry rule is offered instead.",
)
@pass_app
def emergency_cleanup(
    app: App,
    target: AwsTarget,
    ignore_registry: bool,
    bucket: str,
    environment: str | None,
    project_name: str | None,
    dry_run: bool,
    yes: bool,
    confirmed: tuple[str, ...],
    force: bool,
    large_threshold: int,
) -> None:
    """Diagnose why a bucket cannot be deleted, apply only the needed fixes, then destroy it."""
    scope = resolve_scope(app, target.region, environment, project_name, ignore_registry=ignore_registry)
    _select(scope, bucket, None)
    yes, confirmed = (True, (bucket,)) if force else (yes, confirmed)
    check_confirmed(confirmed, [bucket], "bucket")
    with aws_errors(target):
        account = check_credentials(target)
        s3 = target.client("s3", region=scope.region)
        diag = emergency.diagnose(s3, bucket, account=account, large_threshold=large_threshold)
        if not app.json:
            click.echo(diag.inventory.summary())
            for issue in diag.issues:
                fix = "auto-fix available" if issue.fix else "manual"
                click.echo(f"  [{issue.id}] {issue.detail}\n      remedy ({fix}): {issue.remedy}")
            if not diag.issues and diag.inventory.exists:
                click.echo("  nothing blocks deletion")
        if dry_run or not diag.inventory.exists:
            if app.json:
                print_json({"ok": True, "dry_run": dry_run, **diag.to_dict()})
            return
        manual = [i for i in diag.issues if i.fix is None]
        if manual:
            raise ChecksFailed(
                f"{bucket}: needs manual action first: " + ", ".join(i.id for i in manual),
                hint="see the remedies above; nothing was changed",
            )
        fixed: list[str] = []
        for issue in diag.issues:
            with _say_what_changed(bucket, fixed):
                confirm(
                    f"Fix [{issue.id}]: {issue.remedy}?",
                    given=yes,
                    flag="--yes",
                    what=f"fix [{issue.id}] of {bucket}",
                )
            assert issue.fix is not None
            issue.fix()
            fixed.append(issue.id)
            progress(f"{bucket}: fixed {issue.id}")
            if issue.id == "too-large":
                if app.json:
                    print_json({"ok": True, "lifecycle_expiry": True, **diag.to_dict()})
                else:
                    click.echo("lifecycle expiry rule set; rerun when S3 has emptied the bucket (about 1-2 days)")
                return
        with _say_what_changed(bucket, fixed):
            confirm_destroy(
                bucket, f"Type the bucket name to destroy {bucket}", confirmed=confirmed, what=f"destroying {bucket}"
            )
        try:
            stats = s3_destroy.destroy(s3, bucket, bypass_governance=diag.bypass_governance, progress=progress)
        except Exception as exc:
            if error_code(exc) in {"SlowDown", "Throttling"}:
                raise ChecksFailed(f"{bucket}: S3 keeps throttling", hint="rerun with fewer --workers") from exc
            raise
    if app.json:
        print_json({"ok": True, **diag.to_dict(), "destroy": stats.to_dict()})
    else:
        click.echo(f"destroyed {bucket}: {stats.deleted} version(s)/marker(s)")
