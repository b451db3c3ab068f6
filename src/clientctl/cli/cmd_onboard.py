"""``clientctl onboard|offboard``: thin commands over :mod:`clientctl.workflows` (docs/onboarding.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from clientctl.aws.session import AwsTarget
from clientctl.cli.app import App, interrupts, pass_app, print_json
from clientctl.cli.aws_options import aws_options
from clientctl.cli.options import client_options, client_request, confirm_option, terraform_options, yes_option
from clientctl.cli.prompts import APPROVE_FLAG, approve, check_confirmed, confirm_destroy, run_approver
from clientctl.errors import ConfigError, ExitCode
from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator import RunControl
from clientctl.orchestrator.grid import Progress
from clientctl.workflows.common import WorkflowIO
from clientctl.workflows.offboard import OffboardOptions, offboard
from clientctl.workflows.onboard import OnboardOptions, onboard
from clientctl.workflows.state import StepState, WorkflowState

F = TypeVar("F", bound=Callable[..., Any])

MARKS = {
    "done": ("ok", "green"),
    "skipped": ("skip", None),
    "manual": ("todo", "yellow"),
    "blocked": ("BLOCKED", "red"),
    "failed": ("FAILED", "red"),
    "pending": ("plan", "cyan"),
    "running": ("...", None),
}


def workflow_options(func: F) -> F:
    """Terraform's options, ``--dry-run`` and the AWS target: what onboard and offboard share."""
    func = aws_options(func)
    func = click.option("--dry-run", is_flag=True, help="Show every step and what it would do; change nothing.")(func)
    return terraform_options(func)


def _show_step(app: App) -> Callable[[StepState, bool], None]:
    def show(step: StepState, reused: bool) -> None:
        if app.json:
            return
        mark, color = MARKS.get(step.status, (step.status, None))
        when = f" (earlier run, {step.finished_at})" if reused else ""
        click.echo(click.style(f"[{mark:>7}]", fg=color) + f" {step.name:<10} {step.message or step.title}{when}")
        for line in step.details:
            click.echo(f"           {line}")

    return show


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return approve(question, flag=APPROVE_FLAG, declined="the step is left for later")


def _io(app: App, progress: Progress, control: RunControl) -> WorkflowIO:
    return WorkflowIO(
        emit=lambda m: click.echo(m, err=True),
        confirm=_confirm,
        approve=run_approver("apply", progress if progress.live else None),
        observer=progress,
        control=control,
        on_step=_show_step(app),
    )


def _where(target: AwsTarget) -> str:
    endpoint = target.effective_endpoint
    if endpoint:
        return f"{'sandbox' if target.static_credentials else 'endpoint'} {endpoint}"
    return f"AWS{f' (profile {target.profile})' if target.profile else ''}"


def _finish(app: App, state: WorkflowState, root: Path, dry_run: bool) -> None:
    stopped = state.stopped
    if app.json:
        print_json({"ok": stopped is None, "dry_run": dry_run, **state.to_dict()})
    else:
        shown = state.path.relative_to(root) if state.path else "not written (--dry-run)"
        click.echo(f"\nstate: {shown}")
        if dry_run:
            click.echo("--dry-run: nothing was changed")
        elif stopped is not None:
            click.secho(
                f"{state.kind} {state.client}: stopped at step '{stopped.name}' ({stopped.status}); "
                f"rerun `clientctl {state.kind} {state.client} ...` to continue",
                fg="red",
                err=True,
            )
        else:
            manual = [s.name for s in state.steps if s.status == "manual"]
            extra = f"; manual steps remain: {', '.join(manual)}" if manual else ""
            click.secho(f"{state.kind} {state.client}: complete{extra}", fg="green")
    if stopped is not None:
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)


@click.command("onboard")
@click.argument("client")
@client_options
@yes_option(extra=("--auto-approve",), dest="auto_approve")
@workflow_options
@pass_app
def onboard_cmd(
    app: App,
    /,
    client: str,
    target: AwsTarget,
    auto_approve: bool,
    parallelism: int,
    lock_timeout: str,
    terraform: str | None,
    dry_run: bool,
    **fields: Any,
) -> None:
    """Onboard CLIENT: the runbook's checklist as a resumable workflow (docs/onboarding.md).

    \b
    Steps: client (add, or validate the existing file), render, backend (offer to provision), layers (plan
    and apply in graph order), s3-verify, dns, kubectl, manual (what remains for a human). State is kept in
    .clientctl/onboard/CLIENT.json; a second run continues where the first stopped. --region is the client's
    region (new client) and the AWS region.

    \b
    Exit codes: 0 every step done (manual items listed), 1 a step failed or is blocked (e.g. Terraform
    cannot download providers: what remains is printed), 2 usage or configuration error.
    """
    root = app.root
    if not (auto_approve or dry_run or (sys.stdin.isatty() and sys.stderr.isatty())):
        raise ConfigError(
            "`onboard` asks before provisioning and applying, but there is no terminal to ask on",
            hint="run it in a terminal, pass --yes (or --auto-approve), or --dry-run to see the steps",
        )
    request = client_request(client, target.region, fields)
    options = OnboardOptions(
        request=request,
        target=target,
        sandbox=target.static_credentials is not None,
        auto_approve=auto_approve,
        dry_run=dry_run,
        terraform=terraform,
        parallelism=parallelism,
        lock_timeout=lock_timeout,
    )
    _run_workflow(app, "onboard", client, target, dry_run, lambda io: onboard(root, options, io))


@click.command("offboard")
@click.argument("client")
@confirm_option("client")
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="First copy every object under the client's observability prefixes to this folder (verified).",
)
@workflow_options
@pass_app
def offboard_cmd(
    app: App,
    client: str,
    target: AwsTarget,
    confirmed: tuple[str, ...],
    export_dir: Path | None,
    parallelism: int,
    lock_timeout: str,
    terraform: str | None,
    dry_run: bool,
) -> None:
    """Offboard CLIENT: destroy its layers, delete its data and states, quarantine its CIDR (docs/onboarding.md).

    \b
    Steps: export (with --export), destroy (every layer, reverse graph order), prefixes (all versions under
    {type}/client=CLIENT/ in the observability buckets), states (env:/CLIENT/... in the state bucket), cidr
    (released into quarantine), client (file removed), render. Nothing after destroy runs unless every
    layer is destroyed. State in .clientctl/offboard/CLIENT.json; a second run continues.

    \b
    Confirmation: type the client name when asked, or pass --confirm CLIENT (must equal CLIENT).
    Exit codes: 0 done, 1 a step failed or is blocked, 2 usage or configuration error (e.g. no confirmation).
    """
    root = app.root
    app.registry()  # a broken repository is reported before anything is asked
    check_confirmed(confirmed, [client], "client")
    if not dry_run:
        confirm_destroy(
            client, f"Type the client name ({client}) to offboard it", confirmed=confirmed, what=f"offboarding {client}"
        )
    options = OffboardOptions(
        client=client,
        target=target,
        sandbox=target.static_credentials is not None,
        export_dir=export_dir.resolve() if export_dir else None,
        dry_run=dry_run,
        terraform=terraform,
        parallelism=parallelism,
        lock_timeout=lock_timeout,
    )
    _run_workflow(app, "offboard", client, target, dry_run, lambda io: offboard(root, options, io))


def _run_workflow(
    app: App, verb: str, client: str, target: AwsTarget, dry_run: bool, run: Callable[[WorkflowIO], WorkflowState]
) -> None:
    """Progress, Ctrl-C handling and the final summary shared by onboard and offboard."""
    progress = Progress(sys.stderr, live=sys.stderr.isatty(), layers=LAYER_NAMES)
    control = RunControl()
    control.notice = progress.message
    if not app.json:
        click.echo(f"{verb} {client}{' (dry run)' if dry_run else ''}: {_where(target)}")
    with interrupts(control):
        try:
            state = run(_io(app, progress, control))
        finally:
            progress.close()
    _finish(app, state, app.root, dry_run)


commands = [onboard_cmd, offboard_cmd]
