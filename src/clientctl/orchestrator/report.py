"""The run report: one JSON file per run (<repo>/.clientctl/runs/<run-id>/report.json).

Schema in docs/run-report.md; bump :data:`SCHEMA_VERSION` on any incompatible change.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import secrets
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write
from clientctl.layers import LAYER_NAMES

SCHEMA = "clientctl/run-report"
SCHEMA_VERSION = 1

Action = Literal["plan", "apply", "destroy", "drift"]
ACTIONS: tuple[str, ...] = ("plan", "apply", "destroy", "drift")
Status = Literal["pending", "running", "succeeded", "no-changes", "changes", "failed", "skipped", "cancelled"]
FINAL_STATUSES: tuple[str, ...] = ("succeeded", "no-changes", "changes", "failed", "skipped", "cancelled")
# Statuses that count as done for --resume, per action (a plan that found changes did its job).
RESUMABLE_OK: dict[str, tuple[str, ...]] = {
    "plan": ("no-changes", "changes"),
    "drift": ("no-changes", "changes"),
    "apply": ("succeeded", "no-changes"),
    "destroy": ("succeeded", "no-changes"),
}


def now(offset: float = 0.0) -> str:
    """UTC timestamp (ISO 8601, milliseconds); ``offset`` seconds from now."""
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id(action: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{action}-{secrets.token_hex(3)}"


def who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


@dataclass
class StepRecord:
    step: str
    exit_code: int
    duration_s: float
    attempts: int = 1
    retried_on: list[str] = field(default_factory=list)
    started_at: str | None = None
    finished_at: str | None = None


@dataclass
class NodeResult:
    client: str
    layer: str
    status: Status = "pending"
    started_at: str | None = None
    finished_at: str | None = None
    duration_s: float = 0.0
    exit_codes: dict[str, int] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)
    plan: dict[str, Any] | None = None
    log: str | None = None
    input_hash: str = ""
    error: str | None = None
    lock: dict[str, str] | None = None
    deferred: bool = False  # apply: planned only after its upstream layer was applied in this run
    reused_from: str | None = None  # --resume: carried over from that run, not run again
    phase: str = ""  # live progress only (init, plan, apply, ...); not part of the schema

    @property
    def key(self) -> tuple[str, str]:
        return (self.client, self.layer)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("phase")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NodeResult:
        steps = [StepRecord(**s) for s in data.get("steps", [])]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "steps"}
        return cls(**known, steps=steps)


@dataclass
class RunReport:
    run_id: str
    action: str
    who: str
    started_at: str
    versions: dict[str, str]
    options: dict[str, Any]
    nodes: list[NodeResult] = field(default_factory=list)
    finished_at: str | None = None
    duration_s: float = 0.0
    interrupted: bool = False
    exit_code: int = 0
    path: Path | None = None

    def node(self, client: str, layer: str) -> NodeResult:
        for node in self.nodes:
            if node.key == (client, layer):
                return node
        raise KeyError((client, layer))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(FINAL_STATUSES, 0)
        for node in self.nodes:
            counts[node.status] = counts.get(node.status, 0) + 1
        return counts

    @property
    def drifted(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status == "changes"]

    def compute_exit_code(self) -> int:
        """0 all ok; 1 any failed/skipped/cancelled node (and, for drift, any drift)."""
        bad = any(n.status in ("failed", "skipped", "cancelled") for n in self.nodes)
        if bad or self.interrupted or (self.action == "drift" and self.drifted):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "action": self.action,
            "who": self.who,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": round(self.duration_s, 3),
            "versions": self.versions,
            "options": self.options,
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
            "counts": self.counts(),
            "nodes": [n.to_dict() for n in self.nodes],
        }

    def save(self, path: Path) -> None:
        self.path = path
        atomic_write(path, json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n")


def load_report(runs_dir: Path, run_id: str) -> RunReport:
    """The report of ``run_id`` under ``runs_dir`` (for ``--resume``)."""
    path = runs_dir / run_id / "report.json"
    if not path.is_file():
        known = sorted(p.name for p in runs_dir.glob("*") if (p / "report.json").is_file())[-5:]
        raise ConfigError(
            f"--resume {run_id}: no run report at {path}",
            hint=f"recent runs: {', '.join(known)}" if known else "no run has been recorded in this repository yet",
        )
    return read_report(path, what=f"--resume {run_id}")


def read_report(path: Path, *, what: str = "run report") -> RunReport:
    """One ``report.json``; anything unreadable or of another schema is a ConfigError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what}: {path}: file not found") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{what}: cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("schema_version") != SCHEMA_VERSION:
        found = (data.get("schema"), data.get("schema_version")) if isinstance(data, dict) else (None, None)
        raise ConfigError(
            f"{what}: {path} has schema {found[0]!r} v{found[1]}, this clientctl reads {SCHEMA} v{SCHEMA_VERSION}",
            hint="pass the report.json files clientctl plan/apply/destroy/drift wrote (.clientctl/runs/<run-id>/)",
        )
    try:
        return RunReport(
            run_id=data["run_id"],
            action=data["action"],
            who=data["who"],
            started_at=data["started_at"],
            versions=data["versions"],
            options=data["options"],
            nodes=[NodeResult.from_dict(n) for n in data["nodes"]],
            finished_at=data.get("finished_at"),
            duration_s=data.get("duration_s", 0.0),
            interrupted=data.get("interrupted", False),
            exit_code=data.get("exit_code", 0),
            path=path,
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{what}: {path} is not a complete run report (missing or malformed {exc})") from None


def merge_reports(reports: list[RunReport], *, run_id: str | None = None) -> RunReport:
    """One report for many runs of the same action (a CI pipeline's jobs, one per client x layer), so the result
    reads like one local ``apply --all``. A node present in several reports (a retried job) keeps the result
    that finished last; ``options.merged_from`` lists every run merged, ``options.superseded`` the replaced ones."""
    if not reports:
        raise ConfigError(
            "nothing to merge: no run report given", hint="pass report.json files or folders holding them"
        )
    actions = sorted({r.action for r in reports})
    if len(actions) > 1:
        by_action = {a: [r.run_id for r in reports if r.action == a] for a in actions}
        raise ConfigError(
            "cannot merge runs of different actions: "
            + "; ".join(f"{a}: {', '.join(ids[:3])}{' ...' if len(ids) > 3 else ''}" for a, ids in by_action.items()),
            hint="merge the reports of one action at a time (e.g. the plan jobs, then the apply jobs)",
        )
    ordered = sorted(reports, key=lambda r: (r.finished_at or r.started_at, r.run_id))
    nodes: dict[tuple[str, str], NodeResult] = {}
    superseded: list[str] = []
    for report in ordered:
        for node in report.nodes:
            if node.key in nodes:
                superseded.append(f"{node.client}/{node.layer}")
            nodes[node.key] = node
    versions: dict[str, str] = {}
    for key in sorted({k for r in reports for k in r.versions}):
        seen = sorted({r.versions[key] for r in reports if key in r.versions})
        versions[key] = ", ".join(seen)
    layers = [layer for layer in _layer_order(reports) if any(n.layer == layer for n in nodes.values())]
    started = min(r.started_at for r in reports)
    finished = max((r.finished_at or r.started_at) for r in reports)
    merged = RunReport(
        run_id=run_id or new_run_id(f"{actions[0]}-merged"),
        action=actions[0],
        who=who(),
        started_at=started,
        finished_at=finished,
        duration_s=_seconds_between(started, finished),
        versions=versions,
        options={
            "clients": sorted({n.client for n in nodes.values()}),
            "layers": layers,
            "merged_from": [r.run_id for r in ordered],
            "superseded": sorted(set(superseded)),
        },
        nodes=sorted(nodes.values(), key=lambda n: (layers.index(n.layer), n.client)),
        interrupted=any(r.interrupted for r in reports),
    )
    merged.exit_code = merged.compute_exit_code()
    return merged


def _layer_order(reports: list[RunReport]) -> list[str]:
    """Every layer of the runs, in the layer graph's order (a layer unknown to this clientctl last)."""
    present = {n.layer for r in reports for n in r.nodes}
    return [name for name in LAYER_NAMES if name in present] + sorted(present - set(LAYER_NAMES))


def _seconds_between(start: str, end: str) -> float:
    try:
        a = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max(0.0, (b - a).total_seconds())
