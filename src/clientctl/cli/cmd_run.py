"""``clientctl plan|apply|destroy|drift``: thin commands over :func:`clientctl.orchestrator.run_graph`."""

from __future__ import annotations

import signal
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
from clientctl.cli.params import LAYER, LAYER_HELP, base_head_options
from clientctl.cli.prompts import approve as approve_prompt
from clientctl.cli.prompts import approve_typed
from clientctl.errors import ConfigError
from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator import ApprovalRequest, RunControl, RunOptions, RunReport, load_report, run_graph
from clientctl.orchestrator.graph import Node
from clientctl.orchestrator.grid import Progress, render_grid, summary_line
from clientctl.orchestrator.preflight import check_state, guarded_nodes
from clientctl.registry.loader import Registry
from clientctl.render.render import drift as render_drift
from clientctl.terraform.setup import make_runner

F = TypeVar("F", bound=Callable[..., Any])


def run_options(*, approve: bool, affected_option: bool) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        opts = [
            click.argument("clients", nargs=-1),
            click.option("--all", "all_clients", is_flag=True, help="Every client of the registry."),
            click.option(
                "--layer",
                "layers",
                multiple=True,
                type=LAYER,
                metavar="LAYER",
                help=f"Only these layers (repeat; {LAYER_HELP}).",
            ),
            click.option(
                "--parallelism",
                type=click.IntRange(1, 64),
                default=4,
                show_default=True,
                help="Max Terraform runs at once.",
            ),
            click.option("--resume", "resume", metavar="RUN_ID", default=None, help="Rerun only what did not succeed."),
            click.option(
                "--lock-timeout",
                default="300s",
                show_default=True,
                help="How long Terraform waits for a held state lock before failing.",
            ),
            click.option(
                "--terraform",
                "terraform",
                envvar="CLIENTCTL_TERRAFORM",
                default=None,
                help="Terraform CLI to run (default: the one ./dev setup installs in .venv, else PATH).",
            ),
            aws_options,
        ]
        if affected_option:
            opts.append(
                click.option(
                    "--affected",
                    is_flag=True,
                    help="Only the client x layer pairs a git change touches (see `clientctl affected`; "
                    "--base/--head choose the revisions).",
                )
            )
            opts.append(base_head_options)
        if approve:
            opts.append(click.option("--auto-approve", is_flag=True, help="Apply without asking (CI)."))
            opts.append(
                click.option(
                    "--dry-run",
                    is_flag=True,
                    help="Plan only and show what would change; nothing is applied or destroyed.",
                )
            )
        for opt in reversed(opts):
            func = opt(func)
        return func

    return decorate


def _approver(action: str, progress: Progress | None, *, dry_run: bool = False) -> Callable[[ApprovalRequest], bool]:
    def approve(request: ApprovalRequest) -> bool:
        if progress is not None:
            progress.close()
        lines = [f"\n{'dry run: ' if dry_run else ''}{request.action} for client {request.client}:"]
        for node in request.nodes:
            if node.deferred:
                what = "planned and applied after its upstream layer is applied"
            elif node.status == "pending" and node.plan:
                p = node.plan
                what = f"{p['add']} to add, {p['change']} to change, {p['destroy']} to destroy"
            else:
                what = node.status
            lines.append(f"  {node.layer:<24} {what}")
        click.echo("\n".join(lines), err=True)
        if dry_run:
            return False
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            if action == "destroy":
                return approve_typed(
                    request.client,
                    f"Type the client name ({request.client}) to destroy these layers",
                    flag="--auto-approve",
                    declined=f"{request.client}'s layers are not destroyed",
                )
            return approve_prompt(
                f"Apply these changes to {request.client}?",
                flag="--auto-approve",
                declined=f"{request.client}'s layers are left unchanged",
            )
        finally:
            signal.signal(signal.SIGINT, previous)

    return approve


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
    affected: bool = False,
    base: str | None = None,
    head: str | None = None,
) -> None:
    if dry_run and auto_approve:
        raise click.UsageError("--dry-run and --auto-approve cannot be combined")
    if dry_run and action == "apply":
        action = "plan"  # an apply that applies nothing is exactly `clientctl plan`
    registry = app.registry()
    root = registry.root
    state_dir = paths.state_dir(root)
    previous: RunReport | None = load_report(paths.runs_dir(root), resume) if resume else None
    if all_clients and clients:
        raise click.UsageError("give client names or --all, not both")
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
    if (
        action in ("apply", "destroy")
        and not (auto_approve or dry_run)
        and not (sys.stdin.isatty() and sys.stderr.isatty())
    ):
        raise ConfigError(
            f"`{action}` asks for approval, but there is no terminal to ask on",
            hint="run it in a terminal, or pass --auto-approve (CI)",
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
            _approver(action, progress if live else None, dry_run=dry_run),
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
        findings = check_state(registry, nodes, lambda region: target.client("s3", region=region), action=action)
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


def _command(action: str, doc: str, *, approve: bool) -> click.Command:
    @click.command(action, help=doc)
    @run_options(approve=approve, affected_option=action != "destroy")
    @pass_app
    def command(app: App, /, **kwargs: Any) -> None:
        _run(app, action, **kwargs)

    return command


plan = _command(
    "plan",
    "Plan every selected client x layer in graph order (no changes are made).\n\n"
    "Exit codes: 0 ok, 1 a node failed or was skipped, 2 usage or configuration error.",
    approve=False,
)
apply = _command(
    "apply",
    "Plan, show the summaries, ask once per client, then apply exactly the approved plans in graph order.\n\n"
    "A failed node skips only its dependents for that client. Ctrl-C: once stops scheduling, twice "
    "interrupts Terraform, three times kills it.",
    approve=True,
)
destroy = _command(
    "destroy",
    "Destroy every selected client x layer in reverse graph order, after the user types the client name.",
    approve=True,
)
drift = _command(
    "drift",
    "Plan sweep (-detailed-exitcode) reporting which client/layer pairs drifted; exit 1 if any did.",
    approve=False,
)

commands = [plan, apply, destroy, drift]
