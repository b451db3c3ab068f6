"""``clientctl plan|apply|destroy|drift``: thin commands over :func:`clientctl.orchestrator.run_graph`."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from botocore.exceptions import BotoCoreError, ClientError

from clientctl import paths
from clientctl.aws.session import AwsTarget
from clientctl.changes import affected as find_affected
from clientctl.cli.app import App, interrupts, pass_app, print_findings, print_json
from clientctl.cli.aws_options import aws_options
from clientctl.cli.options import (
    base_head_options,
    check_selection,
    confirm_option,
    selection_options,
    terraform_options,
    yes_option,
)
from clientctl.cli.prompts import APPROVE_FLAG, check_confirmed, run_approver
from clientctl.errors import ConfigError
from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator import RunControl, RunOptions, RunReport, load_report, run_graph
from clientctl.orchestrator.graph import Node
from clientctl.orchestrator.grid import Progress, render_grid, summary_line
from clientctl.orchestrator.preflight import check_state, guarded_nodes
from clientctl.registry.loader import Registry
from clientctl.render.render import drift as render_drift
from clientctl.terraform.setup import make_runner

F = TypeVar("F", bound=Callable[..., Any])


def run_options(action: str) -> Callable[[F], F]:
    """The options of plan/apply/destroy/drift: the selection, Terraform's, the AWS target, and for apply
    and destroy the approval (prompts.py: the one confirmation rule)."""

    def decorate(func: F) -> F:
        if action == "apply":
            func = click.option(
                "--dry-run", is_flag=True, help="Plan only and show what would change; nothing is applied."
            )(func)
            func = yes_option(extra=("--auto-approve",), dest="auto_approve")(func)
        if action == "destroy":
            func = click.option("--dry-run", is_flag=True, help="Plan the destroy and show it; nothing is destroyed.")(
                func
            )
            func = click.option(
                "--auto-approve",
                is_flag=True,
                help="Destroy every selected client without typing names (Terraform's -auto-approve).",
            )(func)
            func = confirm_option("client")(func)
        if action != "destroy":
            func = base_head_options(func)
            func = click.option(
                "--affected",
                is_flag=True,
                help="Only the client x layer pairs a git change touches (see `clientctl affected`; "
                "--base/--head choose the revisions).",
            )(func)
        func = aws_options(func)
        func = click.option(
            "--resume", "resume", metavar="RUN_ID", default=None, help="Rerun only what did not succeed."
        )(func)
        func = terraform_options(func)
        return selection_options()(func)

    return decorate


def _run(
    app: App,
    action: str,
    clients: tuple[str, ...],
    all_clients: bool,
    layers: tuple[str, ...],
    parallelism: int,
    resume: str | None,
    lock_timeout: str,
    terraform: str | None,
    target: AwsTarget,
    auto_approve: bool = False,
    dry_run: bool = False,
    confirmed: tuple[str, ...] = (),
    affected: bool = False,
    base: str | None = None,
    head: str | None = None,
) -> None:
    if dry_run and auto_approve:
        raise click.UsageError("--dry-run and --yes/--auto-approve cannot be combined")
    if dry_run and action == "apply":
        action = "plan"  # an apply that applies nothing is exactly `clientctl plan`
    registry = app.registry()
    root = registry.root
    state_dir = paths.state_dir(root)
    previous: RunReport | None = load_report(paths.runs_dir(root), resume) if resume else None
    check_selection(clients, all_clients)
    if (base or head) and not affected:
        raise click.UsageError("--base/--head choose the revisions of --affected; pass --affected too")
    only: frozenset[Node] | None = None
    if affected:
        if resume:
            raise click.UsageError("--affected and --resume cannot be combined (a resumed run reruns its own nodes)")
        only = _affected_nodes(app, root, base, head, clients, layers)
        if not only:
            if app.json:
                print_json({"ok": True, "action": action, "nodes": []})
            else:
                click.echo(f"nothing affected: no client x layer to {action}")
            return
        clients, all_clients = tuple(sorted({n.client for n in only})), False
    if previous is not None and previous.options.get("nodes"):
        only = frozenset(Node(*text.split("/", 1)) for text in previous.options["nodes"])
    if not clients and not all_clients:
        if previous is None:
            raise click.UsageError("name at least one client, or pass --all")
        clients = tuple(previous.options.get("clients", []))
    if not layers:
        layers = tuple(previous.options.get("layers", LAYER_NAMES)) if previous else LAYER_NAMES
    layers = tuple(dict.fromkeys(layers))  # --layer 01 --layer foundation is one layer
    names = sorted(registry.clients) if all_clients else [registry.client(c).name for c in clients]
    check_confirmed(confirmed, names, "client")
    if (
        action in ("apply", "destroy")
        and not (auto_approve or dry_run)
        and not (action == "destroy" and set(names) <= set(confirmed))
        and not (sys.stdin.isatty() and sys.stderr.isatty())
    ):
        approval = "pass --confirm CLIENT for each client" if action == "destroy" else f"pass {APPROVE_FLAG}"
        raise ConfigError(
            f"`{action}` asks for approval, but there is no terminal to ask on",
            hint=f"run it in a terminal, or {approval} (or --auto-approve, Terraform's word) in CI",
        )
    stale = render_drift(registry)
    if stale:
        raise ConfigError(
            f"generated layer inputs are stale ({len(stale)} file(s), e.g. {stale[0]})",
            hint="run `clientctl render` first",
        )
    _state_guards(registry, names, layers, only, target, action)
    runner = make_runner(root, target, terraform=terraform, lock_timeout=lock_timeout)
    endpoint_url = target.effective_endpoint
    live = sys.stderr.isatty()
    progress = Progress(sys.stderr, live=live, layers=[ly for ly in LAYER_NAMES if ly in layers])
    control = RunControl()
    control.notice = progress.message
    options = RunOptions(
        parallelism=parallelism,
        auto_approve=auto_approve,
        resume=previous,
        state_dir=state_dir,
        extra={"endpoint_url": endpoint_url},
        only=only,
    )
    with interrupts(control):
        report = run_graph(
            registry,
            names,
            layers,
            action,
            runner,
            run_approver(action, progress if live else None, dry_run=dry_run, confirmed=confirmed),
            options,
            control=control,
            observer=progress,
        )
    progress.close()
    if app.json:
        failed = any(node.status == "failed" for node in report.nodes) if dry_run else bool(report.exit_code)
        print_json({"ok": not failed, **report.to_dict()})
    else:
        click.echo(render_grid(report.nodes, progress.layers))
        for node in report.nodes:
            if node.status in ("failed", "skipped", "cancelled") and node.error:
                click.echo(f"{node.client}/{node.layer}: {node.status}: {node.error}", err=True)
        if action == "drift":
            drifted = [f"{n.client}/{n.layer}" for n in report.drifted]
            click.echo(f"drift: {', '.join(drifted) if drifted else 'none'}")
        click.echo(summary_line(report))
        shown = report.path.relative_to(root) if report.path else ""
        click.echo(f"report: {shown}; logs: {Path(str(shown)).parent / 'logs'}")
    if dry_run:
        # Every destroy plan was shown and declined on purpose: only a failed plan is a failure here.
        click.echo("dry run: nothing was destroyed", err=True)
        if any(node.status == "failed" for node in report.nodes):
            raise click.exceptions.Exit(1)
        return
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def _state_guards(
    registry: Registry,
    names: list[str],
    layers: tuple[str, ...],
    only: frozenset[Node] | None,
    target: AwsTarget,
    action: str,
) -> None:
    """Compare the registry with the recorded state (orchestrator.preflight): warn, or refuse an apply."""
    nodes = guarded_nodes(names, [ly for ly in layers], only)
    if not nodes:
        return
    try:
        s3_for = functools.cache(lambda region: target.client("s3", region=region))  # one client per region
        findings = check_state(registry, nodes, s3_for, action=action)
    except (BotoCoreError, ClientError) as exc:
        click.echo(f"warning: the state guards could not read the recorded state ({exc}); not checked", err=True)
        return
    print_findings([f for f in findings if f.level != "error"])
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise ConfigError(
            f"refused: {len(errors)} change(s) the recorded state cannot take; nothing was run",
            hint="see each finding's hint; `clientctl plan` shows the same as warnings",
            findings=errors,
        )


def _affected_nodes(
    app: App, root: Path, base: str | None, head: str | None, clients: tuple[str, ...], layers: tuple[str, ...]
) -> frozenset[Node]:
    """The affected nodes to run, narrowed by CLIENT arguments and --layer; a removed client's destroy nodes
    are only reported: its layer inputs are gone from this revision, `clientctl offboard` destroys it."""
    result = find_affected(root, base=base, head=head)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    wanted_clients = {app.registry().client(c).name for c in clients}
    nodes = frozenset(
        Node(n.client, n.layer)
        for n in result.nodes
        if n.action == "apply"
        and (not wanted_clients or n.client in wanted_clients)
        and (not layers or n.layer in layers)
    )
    removed = sorted({n.client for n in result.nodes if n.action == "destroy"})
    if removed:
        click.echo(
            f"note: {', '.join(removed)} left the registry in this change; run `clientctl offboard NAME` on the base "
            "revision to destroy their layers (not done by --affected)",
            err=True,
        )
    click.echo(
        f"affected ({result.base_label} .. {result.head[:12] if result.head else 'working tree'}): "
        f"{len(nodes)} client x layer pair(s)",
        err=True,
    )
    return nodes


def _command(action: str, doc: str) -> click.Command:
    @click.command(action, help=doc)
    @run_options(action)
    @pass_app
    def command(app: App, /, **kwargs: Any) -> None:
        _run(app, action, **kwargs)

    return command


plan = _command(
    "plan",
    "Plan every selected client x layer in graph order (no changes are made).\n\n"
    "Exit codes: 0 ok, 1 a node failed or was skipped, 2 usage or configuration error.",
)
apply = _command(
    "apply",
    "Plan, show the summaries, ask once per client, then apply exactly the approved plans in graph order.\n\n"
    "A failed node skips only its dependents for that client. Ctrl-C: once stops scheduling, twice "
    "interrupts Terraform, three times kills it.",
)
destroy = _command(
    "destroy",
    "Destroy every selected client x layer in reverse graph order, after the user types the client name "
    "(or passes --confirm CLIENT, once per client).",
)
drift = _command(
    "drift", "Plan sweep (-detailed-exitcode) reporting which client/layer pairs drifted; exit 1 if any did."
)

commands = [plan, apply, destroy, drift]
