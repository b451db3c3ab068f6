"""``run_graph``: plan / apply / destroy / drift over clients x layers, the core behind the CLI commands
(and, later, ``onboard`` / ``offboard``). Everything it touches is a parameter: registry (paths), clients,
layers, the Terraform runner, the approval callback and the options.

apply runs in two phases (orchestration-lessons.md lesson 5: never apply a plan built on stale upstream):
  1. plan every node in graph order; a node whose upstream layer has changes is *deferred*;
  2. after approval (once per client), apply the saved plans in graph order; a deferred node is planned
     only once its upstream is applied, then applied under the same approval (the prompt says so).
destroy plans ``-destroy`` for every node, asks the user to type the client's name, then applies in reverse
order. plan and drift stop after phase 1.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from clientctl import __version__, naming, paths
from clientctl.errors import ConfigError
from clientctl.orchestrator.graph import Node, build_graph, ordered_layers, schedule, topological
from clientctl.orchestrator.report import (
    RESUMABLE_OK,
    NodeResult,
    RunReport,
    StepRecord,
    new_run_id,
    now,
    who,
)
from clientctl.registry.loader import Registry
from clientctl.render.render import BACKEND_FILE, TFVARS_FILE
from clientctl.terraform.output import PlanSummary
from clientctl.terraform.runner import NodeSession, StepResult, TerraformRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApprovalRequest:
    """What the user is asked to approve: one client's planned changes."""

    action: str
    client: str
    nodes: list[NodeResult]


Approver = Callable[[ApprovalRequest], bool]
Observer = Callable[[NodeResult], None]


@dataclass
class RunOptions:
    parallelism: int = 4
    auto_approve: bool = False
    resume: RunReport | None = None
    run_id: str | None = None
    state_dir: Path | None = None  # default <repo>/.clientctl
    extra: dict[str, Any] = field(default_factory=dict)  # recorded in the report's options (e.g. endpoint)
    #: Run only these nodes of clients x layers (``--affected``); None: all of them.
    only: frozenset[Node] | None = None


class RunControl:
    """Ctrl-C handling: once stops scheduling, twice sends SIGINT to running Terraform (graceful stop),
    three times kills it. The CLI calls :meth:`interrupt` from its signal handler."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.count = 0
        self.runner: TerraformRunner | None = None
        self.notice: Callable[[str], None] = lambda _msg: None

    def interrupt(self) -> None:
        self.count += 1
        self.stop.set()
        if self.count == 1:
            self.notice("interrupt: no new Terraform run will start; running ones finish (Ctrl-C again to stop them)")
        elif self.count == 2 and self.runner is not None:
            n = self.runner.processes.send(signal.SIGINT)
            self.notice(f"interrupt: sent SIGINT to {n} running Terraform process(es) (Ctrl-C again to kill)")
        elif self.runner is not None:
            n = self.runner.processes.send(signal.SIGKILL)
            self.notice(
                f"interrupt: killed {n} Terraform process(es); state locks may stay held: `clientctl lock list`"
            )


@dataclass
class _Target:
    node: Node
    workdir: Path
    input_hash: str


def input_hash(workdir: Path, client: str) -> str:
    """sha256 of the layer's .tf files, the client's rendered tfvars entry, the layer settings and backend.hcl."""
    digest = hashlib.sha256()
    for path in sorted(workdir.glob("*.tf")):
        digest.update(b"tf\0" + path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    tfvars = json.loads((workdir / TFVARS_FILE).read_text(encoding="utf-8"))
    entry = {"client": tfvars.get("clients", {}).get(client), "settings": tfvars.get("settings")}
    digest.update(b"tfvars\0" + json.dumps(entry, sort_keys=True, separators=(",", ":")).encode() + b"\0")
    digest.update(b"backend\0" + (workdir / BACKEND_FILE).read_bytes())
    return digest.hexdigest()


def _targets(registry: Registry, clients: Sequence[str], layers: Sequence[str]) -> dict[Node, _Target]:
    """Check every node's folder before anything runs (one error listing every problem)."""
    problems: list[str] = []
    targets: dict[Node, _Target] = {}
    for client in clients:
        model = registry.client(client).model
        for layer in layers:
            rel = naming.layer_dir(model.region, layer, model.environment)
            workdir = registry.root / rel
            missing = [f for f in (BACKEND_FILE, TFVARS_FILE) if not (workdir / f).is_file()]
            if not workdir.is_dir() or not any(workdir.glob("*.tf")):
                problems.append(f"{client}/{layer}: no Terraform files in {rel}")
                continue
            if missing:
                problems.append(f"{client}/{layer}: {', '.join(missing)} missing in {rel}")
                continue
            data = json.loads((workdir / TFVARS_FILE).read_text(encoding="utf-8"))
            if client not in data.get("clients", {}):
                problems.append(f"{client}/{layer}: client not in {rel}/{TFVARS_FILE}")
                continue
            node = Node(client, layer)
            targets[node] = _Target(node, workdir, input_hash(workdir, client))
    if problems:
        raise ConfigError(
            "cannot run Terraform: " + "; ".join(problems[:10]) + (" ..." if len(problems) > 10 else ""),
            hint="run `clientctl render` to write the layer inputs",
        )
    return targets


class _Run:
    """State of one run_graph call."""

    def __init__(
        self,
        registry: Registry,
        action: str,
        runner: TerraformRunner,
        approve: Approver,
        options: RunOptions,
        targets: dict[Node, _Target],
        graph: dict[Node, set[Node]],
        report: RunReport,
        control: RunControl,
        observer: Observer,
    ) -> None:
        self.registry = registry
        self.action = action
        self.runner = runner
        self.approve = approve
        self.options = options
        self.targets = targets
        self.graph = graph
        self.report = report
        self.control = control
        self.observer = observer
        state_dir = options.state_dir or paths.state_dir(registry.root)
        self.run_dir = state_dir / "runs" / report.run_id
        self.tfdata = paths.tfdata_dir(state_dir)
        self.results: dict[Node, NodeResult] = {}
        self.changes: dict[Node, bool] = {}  # phase 1: node has changes to apply
        self.lock = threading.Lock()
        self.t0: dict[Node, float] = {}  # when the node's current phase started (monotonic)

    # ------------------------------------------------------------------------------------------- plumbing
    def result(self, node: Node) -> NodeResult:
        return self.results[node]

    def update(self, node: Node, **fields: Any) -> None:
        with self.lock:
            result = self.results[node]
            for key, value in fields.items():
                setattr(result, key, value)
        self.observer(result)

    def log_path(self, node: Node) -> Path:
        path = self.run_dir / "logs" / node.client / f"{node.layer}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def plan_path(self, node: Node) -> Path:
        return self.run_dir / "plans" / node.client / f"{node.layer}.tfplan"

    def session(self, node: Node, log: TextIO) -> NodeSession:
        target = self.targets[node]
        data_dir = self.tfdata / node.client / node.layer
        return self.runner.session(target.workdir, node.client, data_dir, log)

    def record(self, node: Node, step: StepResult) -> None:
        result = self.results[node]
        with self.lock:
            if step.attempts:
                result.steps.append(
                    StepRecord(
                        step.step,
                        step.exit_code,
                        round(step.duration, 3),
                        step.attempts,
                        step.retried_on,
                        started_at=now(-step.duration),
                        finished_at=now(),
                    )
                )
                result.exit_codes[step.step] = step.exit_code
            if step.lock is not None:
                result.lock = step.lock.to_dict()

    def fail(self, node: Node, step: StepResult) -> bool:
        if step.interrupted or self.control.count >= 2:
            self.finish(node, "cancelled", error=f"{step.step} interrupted (exit {step.exit_code})")
            return False
        if step.lock is not None:
            holder = step.lock
            error = (
                f"{step.step}: {holder.describe()}; waited -lock-timeout={self.runner.lock_timeout}. "
                # Not `terraform force-unlock`: it cannot release a lock on a workspace whose state does not
                # exist yet (clientctl.terraform.runner.TerraformRunner.release_lock); `lock release` can.
                f"If that run is dead: clientctl lock release {holder.id}"
            )
        else:
            last = [line for line in step.output.splitlines() if line.strip().startswith("Error")]
            detail = last[0].strip() if last else f"exit code {step.exit_code}"
            error = f"{step.step} failed: {detail}"
            if step.retried_on:
                error += f" (after retries on {', '.join(sorted(set(step.retried_on)))})"
        self.finish(node, "failed", error=error)
        return False

    def start(self, node: Node, phase: str) -> None:
        result = self.results[node]
        with self.lock:
            if result.started_at is None:
                result.started_at = now()
                result.log = str(self.log_path(node).relative_to(self.registry.root))
            self.t0.setdefault(node, time.monotonic())
        self.update(node, status="running", phase=phase)

    def finish(self, node: Node, status: str, *, error: str | None = None) -> None:
        result = self.results[node]
        t0 = self.t0.pop(node, None)
        self.update(
            node,
            status=status,
            phase="",
            error=error if error is not None else result.error,
            finished_at=now(),
            duration_s=round(result.duration_s + (time.monotonic() - t0 if t0 else 0.0), 3),
        )

    def guarded(self, work: Callable[[Node], bool]) -> Callable[[Node], bool]:
        """A node's unexpected exception fails that node (with the error recorded), never the run."""

        def run(node: Node) -> bool:
            try:
                return work(node)
            except Exception as exc:
                log.exception("%s: unexpected error", node)
                self.finish(node, "failed", error=f"clientctl error: {type(exc).__name__}: {exc}")
                return False

        return run

    # --------------------------------------------------------------------------------------------- phase 1
    def plan_node(self, node: Node) -> bool:
        """init + plan (or defer). Returns False on failure so dependents are skipped."""
        deferred = self.action == "apply" and any(
            self.changes.get(up) or self.results[up].deferred for up in self.graph[node]
        )
        if deferred:
            self.update(node, deferred=True, phase="waits for upstream apply")
            return True
        self.start(node, "init")
        with self.log_path(node).open("a", encoding="utf-8") as log:
            session = self.session(node, log)
            step = session.init()
            self.record(node, step)
            if not step.ok:
                return self.fail(node, step)
            return self._plan(node, session)

    def _plan(self, node: Node, session: NodeSession) -> bool:
        self.update(node, phase="plan")
        step, summary = session.plan(self.plan_path(node), destroy=self.action == "destroy")
        self.record(node, step)
        if step.exit_code not in (0, 2):
            return self.fail(node, step)
        if summary is None:
            summary = session.show_summary(self.plan_path(node)) or PlanSummary(source="unknown")
        has_changes = step.exit_code == 2
        with self.lock:
            self.changes[node] = has_changes
            self.results[node].plan = summary.to_dict()
        if self.action in ("plan", "drift"):
            self.finish(node, "changes" if has_changes else "no-changes")
        elif not has_changes:
            self.finish(node, "no-changes")
        else:
            self.update(node, status="pending", phase="planned")
            self._pause(node)
        return True

    def _pause(self, node: Node) -> None:
        t0 = self.t0.pop(node, None)
        if t0 is not None:
            result = self.results[node]
            result.duration_s = round(result.duration_s + time.monotonic() - t0, 3)

    # --------------------------------------------------------------------------------------------- phase 2
    def apply_node(self, node: Node) -> bool:
        result = self.results[node]
        if result.status in ("no-changes", "succeeded"):
            return True
        self.start(node, "apply")
        with self.log_path(node).open("a", encoding="utf-8") as log:
            session = self.session(node, log)
            if result.deferred:
                step = session.init()
                self.record(node, step)
                if not step.ok:
                    return self.fail(node, step)
                self.update(node, phase="plan")
                plan_step, summary = session.plan(self.plan_path(node), destroy=self.action == "destroy")
                self.record(node, plan_step)
                if plan_step.exit_code not in (0, 2):
                    return self.fail(node, plan_step)
                with self.lock:
                    result.plan = (summary or PlanSummary(source="unknown")).to_dict()
                if plan_step.exit_code == 0:
                    self.finish(node, "no-changes")
                    return True
                self.update(node, phase="apply")
            step = session.apply(self.plan_path(node))
            step.step = "apply"
            self.record(node, step)
            if not step.ok:
                return self.fail(node, step)
        self.finish(node, "succeeded")
        return True

    # ------------------------------------------------------------------------------------------- approvals
    def approvals(self, clients: Sequence[str]) -> set[str]:
        approved: set[str] = set()
        for client in clients:
            nodes = [self.results[n] for n in topological(self.graph) if n.client == client]
            pending = [n for n in nodes if n.status == "pending"]
            if not pending:
                continue
            if self.control.stop.is_set():
                break
            if self.options.auto_approve or self.approve(ApprovalRequest(self.action, client, nodes)):
                approved.add(client)
            else:
                for n in pending:
                    self.finish(Node(n.client, n.layer), "cancelled", error="not approved")
        return approved

    def skip(self, node: Node, cause: Node) -> None:
        result = self.results[node]
        if result.status in ("pending", "running"):
            why = "failed" if self.results[cause].status == "failed" else self.results[cause].status
            self.update(node, status="skipped", phase="", deferred=False, error=f"upstream {cause.layer} {why}")

    def cancel(self, node: Node) -> None:
        if self.results[node].status in ("pending", "running"):
            self.finish(node, "cancelled", error=self.results[node].error or "run interrupted before this node")


def run_graph(
    registry: Registry,
    clients: Sequence[str],
    layers: Sequence[str],
    action: str,
    runner: TerraformRunner,
    approve: Approver,
    options: RunOptions | None = None,
    *,
    control: RunControl | None = None,
    observer: Observer | None = None,
) -> RunReport:
    """Run ``action`` (plan | apply | destroy | drift) for every client x layer and return the report
    (also written to <state_dir>/runs/<run-id>/report.json). Raises ConfigError/TerraformError before
    anything runs when the inputs are not usable; Terraform failures are node results, not exceptions."""
    if action not in ("plan", "apply", "destroy", "drift"):
        raise ConfigError(f"unknown action {action!r}")
    options = options or RunOptions()
    control = control or RunControl()
    control.runner = runner
    if options.parallelism < 1:
        raise ConfigError(f"--parallelism must be at least 1, got {options.parallelism}")
    layers = ordered_layers(layers)
    clients = sorted(dict.fromkeys(clients))
    if not clients or not layers:
        raise ConfigError("nothing to run: no client or no layer selected")
    graph = build_graph(clients, layers, reverse=action == "destroy", only=options.only)
    if not graph:
        raise ConfigError("nothing to run: the selection holds no client x layer")
    targets = {node: target for node, target in _targets(registry, clients, layers).items() if node in graph}
    folders = sorted({t.workdir for t in targets.values()})
    tf_version = runner.check_version(folders)
    previous = options.resume
    if previous is not None and previous.action != action:
        raise ConfigError(
            f"--resume {previous.run_id}: that run was `{previous.action}`, not `{action}`",
            hint=f"use `clientctl {previous.action} --resume {previous.run_id}`",
        )
    report = RunReport(
        run_id=options.run_id or new_run_id(action),
        action=action,
        who=who(),
        started_at=now(),
        versions={"clientctl": __version__, "terraform": tf_version},
        options={
            "clients": list(clients),
            "layers": list(layers),
            "parallelism": options.parallelism,
            "auto_approve": options.auto_approve,
            "lock_timeout": runner.lock_timeout,
            "resume_from": previous.run_id if previous else None,
            **({"nodes": [str(n) for n in sorted(graph)]} if options.only is not None else {}),
            **options.extra,
        },
    )
    run = _Run(
        registry, action, runner, approve, options, targets, graph, report, control, observer or (lambda _r: None)
    )
    order = topological(graph)
    for node in order:
        run.results[node] = NodeResult(node.client, node.layer, input_hash=targets[node].input_hash)
    report.nodes = [run.results[n] for n in order]

    # --resume: reuse nodes that succeeded with the same inputs, unless something upstream runs again.
    reused: set[Node] = set()
    if previous is not None:
        ok_statuses = RESUMABLE_OK[action]
        before = {(n.client, n.layer): n for n in previous.nodes}
        for node in order:
            old = before.get((node.client, node.layer))
            if (
                old is not None
                and old.status in ok_statuses
                and old.input_hash == targets[node].input_hash
                and graph[node] <= reused
            ):
                reused.add(node)
                fresh = NodeResult.from_dict(old.to_dict())
                fresh.reused_from = old.reused_from or previous.run_id
                run.results[node] = fresh
        report.nodes = [run.results[n] for n in order]

    started = time.monotonic()
    (run.run_dir / "logs").mkdir(parents=True, exist_ok=True)
    report.save(run.run_dir / "report.json")
    try:
        schedule(
            graph,
            run.guarded(run.plan_node),
            parallelism=options.parallelism,
            stop=control.stop,
            done_ok=reused,
            on_skip=run.skip,
            on_cancel=run.cancel,
        )
        if action in ("apply", "destroy") and not control.stop.is_set():
            approved = run.approvals(clients)
            ok = {n for n in order if run.results[n].status in ("no-changes", "succeeded") or n in reused}
            failed = {n for n in order if run.results[n].status in ("failed", "skipped", "cancelled")}
            waiting = {n for n in order if n.client not in approved and n not in ok and n not in failed}
            schedule(
                graph,
                run.guarded(run.apply_node),
                parallelism=options.parallelism,
                stop=control.stop,
                done_ok=ok,
                done_failed=failed | waiting,
                on_skip=run.skip,
                on_cancel=run.cancel,
            )
        for node in order:
            run.cancel(node)
    finally:
        report.interrupted = control.count > 0
        report.finished_at = now()
        report.duration_s = time.monotonic() - started
        report.exit_code = report.compute_exit_code()
        report.save(run.run_dir / "report.json")
    return report
