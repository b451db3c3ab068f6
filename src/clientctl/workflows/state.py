"""The recorded state of an onboard/offboard workflow: one JSON file per client and workflow.

``<repo>/.clientctl/onboard/<client>.json`` and ``<repo>/.clientctl/offboard/<client>.json`` hold every step
with its status, timestamps, run ids, message and step data (e.g. the input hash the layers were applied
with). A second run reads it and continues where the first stopped. Written atomically after every change.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from clientctl import paths
from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write
from clientctl.orchestrator.report import now

SCHEMA = "clientctl/workflow-state"
SCHEMA_VERSION = 1

Kind = Literal["onboard", "offboard"]
StepStatus = Literal["pending", "running", "done", "skipped", "manual", "blocked", "failed"]
# A step in one of these states is not run again by the next invocation (unless its inputs changed).
COMPLETE: tuple[str, ...] = ("done", "skipped")
# A step in one of these states stops the workflow (exit code 1).
STOPPING: tuple[str, ...] = ("blocked", "failed")


@dataclass
class StepState:
    name: str
    title: str
    status: StepStatus = "pending"
    started_at: str | None = None
    finished_at: str | None = None
    message: str = ""
    details: list[str] = field(default_factory=list)  # what remains / what to do, one line each
    run_ids: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0

    @property
    def complete(self) -> bool:
        return self.status in COMPLETE

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class WorkflowState:
    kind: Kind
    client: str
    steps: list[StepState]
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    data: dict[str, Any] = field(default_factory=dict)  # facts recorded once (e.g. the client's CIDR)
    path: Path | None = None

    def step(self, name: str) -> StepState:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    @property
    def finished(self) -> bool:
        return all(s.status in (*COMPLETE, "manual") for s in self.steps)

    @property
    def stopped(self) -> StepState | None:
        return next((s for s in self.steps if s.status in STOPPING), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "client": self.client,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "data": self.data,
            "steps": [asdict(s) for s in self.steps],
        }

    def save(self) -> None:
        if self.path is None:
            return  # --dry-run: nothing is written
        self.updated_at = now()
        atomic_write(self.path, json.dumps(self.to_dict(), indent=2) + "\n")


def state_path(root: Path, kind: Kind, client: str) -> Path:
    return paths.workflow_state_file(root, kind, client)


def load_state(root: Path, kind: Kind, client: str, steps: list[tuple[str, str]], *, persist: bool) -> WorkflowState:
    """The recorded state, or a fresh one; ``steps`` (name, title) fixes the order (unknown recorded steps
    are dropped, new ones start pending). ``persist=False`` (dry run) never writes."""
    path = state_path(root, kind, client)
    recorded: dict[str, StepState] = {}
    created, data = now(), {}
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: unreadable {kind} state ({exc})", hint=f"remove {path} to start over") from None
        if raw.get("schema") != SCHEMA or raw.get("schema_version") != SCHEMA_VERSION:
            raise ConfigError(
                f"{path}: schema {raw.get('schema')!r} v{raw.get('schema_version')}, expected {SCHEMA} v{SCHEMA_VERSION}",
                hint=f"remove {path} to start over",
            )
        recorded = {s["name"]: StepState.from_dict(s) for s in raw.get("steps", [])}
        created, data = raw.get("created_at", created), dict(raw.get("data", {}))
    state = WorkflowState(
        kind,
        client,
        [recorded.get(name) or StepState(name, title) for name, title in steps],
        created_at=created,
        data=data,
        path=path if persist else None,
    )
    for step, (_, title) in zip(state.steps, steps, strict=True):
        step.title = title
    return state
