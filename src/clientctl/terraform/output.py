"""Parsing Terraform's output: plan summaries, state-lock holders, transient errors.

Kept apart from the runner so every classification is a pure, tested function (orchestration-lessons.md
lesson 8: retry classification must be explicit; an unmatched error is never retried).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

# Transient errors worth retrying, with backoff. Each entry: (name, regex). The name is logged and recorded
# in the run report when it matches. Anything not listed here fails at once. Documented in docs/orchestrator.md.
TRANSIENT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("tls-handshake-timeout", r"TLS handshake timeout"),
    ("io-timeout", r"i/o timeout"),
    ("connection-reset", r"connection reset by peer"),
    ("client-timeout", r"Client\.Timeout exceeded while awaiting headers"),
    ("unexpected-eof", r"unexpected EOF"),
    ("throttling", r"ThrottlingException|TooManyRequestsException|Rate exceeded|SlowDown|status code: 429"),
    ("service-unavailable", r"ServiceUnavailable|StatusCode: 503|503 Service Unavailable"),
    ("internal-error", r"InternalError|StatusCode: 500\b"),
    ("request-timeout", r"RequestTimeout(?:Exception)?\b"),
    ("nosuchbucket-after-bootstrap", r"NoSuchBucket"),
    ("registry-unreachable", r"Failed to query available provider packages.*(?:timeout|deadline exceeded)"),
)
_TRANSIENT = [(name, re.compile(pattern, re.IGNORECASE | re.DOTALL)) for name, pattern in TRANSIENT_PATTERNS]

LOCK_ERROR = "Error acquiring the state lock"


def transient_match(output: str) -> str | None:
    """The name of the first transient pattern found in ``output`` (None: not transient).

    A state-lock conflict is never transient: Terraform already waited ``-lock-timeout`` for it."""
    if LOCK_ERROR in output or "Lock Info:" in output:
        return None
    for name, pattern in _TRANSIENT:
        if pattern.search(output):
            return name
    return None


@dataclass(frozen=True)
class LockInfo:
    """Who holds a state lock, from Terraform's "Error acquiring the state lock" block."""

    id: str
    path: str
    operation: str
    who: str
    version: str
    created: str

    def describe(self) -> str:
        return (
            f"state lock held by {self.who or 'unknown'} (operation {self.operation or '?'}, "
            f"since {self.created or '?'}, lock ID {self.id or '?'})"
        )

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def created_at(self) -> dt.datetime | None:
        """``Created`` as an aware datetime (Terraform prints Go's time format: 2026-11-27 01:28:20.81 +0000 UTC)."""
        match = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d+)? \+0000 UTC", self.created)
        if not match:
            return None
        return dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)

    def taken_by_this_step(self, started: dt.datetime, who: str) -> bool:
        """The lock carries this machine's user@host and was created after the step started: Terraform's AWS
        SDK retried a lock request whose first attempt had already succeeded (the response was lost), so the
        step tripped over its own lock. Terraform never releases such a lock by itself."""
        created = self.created_at()
        return self.who == who and created is not None and created >= started - dt.timedelta(seconds=1)


_LOCK_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Version|Created):[ \t]*(.*?)\s*$", re.MULTILINE)


def parse_lock_error(output: str) -> LockInfo | None:
    """The lock holder when ``output`` holds Terraform's lock-conflict error, else None."""
    start = output.find(LOCK_ERROR)
    if start < 0:  # `workspace new` says "failed to lock s3 state" with the same Lock Info block
        start = output.find("failed to lock")
        if start < 0 or "Lock Info:" not in output[start:]:
            return None
    block = output[start:]
    info_at = block.find("Lock Info:")
    fields: dict[str, str] = {}
    if info_at >= 0:
        for match in _LOCK_FIELD.finditer(block[info_at:]):
            fields.setdefault(match.group(1).lower(), match.group(2))
    return LockInfo(
        id=fields.get("id", ""),
        path=fields.get("path", ""),
        operation=fields.get("operation", ""),
        who=fields.get("who", ""),
        version=fields.get("version", ""),
        created=fields.get("created", ""),
    )


@dataclass(frozen=True)
class PlanSummary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    source: str = "plan-line"  # "show-json" or "plan-line"

    @property
    def total(self) -> int:
        return self.add + self.change + self.destroy

    def text(self) -> str:
        if not self.total:
            return "no changes"
        return f"+{self.add} ~{self.change} -{self.destroy}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_PLAN_LINE_SIMPLE = re.compile(r"(\d+) to add, (\d+) to change, (\d+) to destroy")


def parse_plan_line(output: str) -> PlanSummary | None:
    """Counts from the human "Plan: x to add, y to change, z to destroy." line; zero on "No changes."."""
    matches = _PLAN_LINE_SIMPLE.findall(output)
    if matches:
        add, change, destroy = (int(v) for v in matches[-1])
        return PlanSummary(add, change, destroy, "plan-line")
    if "No changes." in output:
        return PlanSummary(0, 0, 0, "plan-line")
    return None


def summary_from_show_json(text: str) -> PlanSummary:
    """Counts from ``terraform show -json PLAN``'s resource_changes (replace counts as add + destroy)."""
    data = json.loads(text)
    add = change = destroy = 0
    for rc in data.get("resource_changes") or []:
        actions = set((rc.get("change") or {}).get("actions") or [])
        if "create" in actions:
            add += 1
        if "delete" in actions:
            destroy += 1
        if "update" in actions:
            change += 1
    return PlanSummary(add, change, destroy, "show-json")
