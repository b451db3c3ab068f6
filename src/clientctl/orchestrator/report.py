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
    path = runs_dir / run_id / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = sorted(p.name for p in runs_dir.glob("*") if (p / "report.json").is_file())[-5:]
        raise ConfigError(
            f"--resume {run_id}: no run report at {path}",
            hint=f"recent runs: {', '.join(known)}" if known else "no run has been recorded in this repository yet",
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--resume {run_id}: cannot read {path}: {exc}") from None
    if data.get("schema") != SCHEMA or data.get("schema_version") != SCHEMA_VERSION:
        raise ConfigError(
            f"--resume {run_id}: {path} has schema {data.get('schema')!r} v{data.get('schema_version')}, "
            f"this clientctl reads {SCHEMA} v{SCHEMA_VERSION}"
        )
    report = RunReport(
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
    return report
