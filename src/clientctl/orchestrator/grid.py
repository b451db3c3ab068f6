"""Progress display: a live client x layer grid on a terminal, plain progress lines otherwise, and the
final summary grid."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TextIO

from clientctl.orchestrator.report import NodeResult, RunReport

_SHORT = {
    "pending": ".",
    "running": "…",
    "succeeded": "ok",
    "no-changes": "=",
    "changes": "changes",
    "failed": "FAILED",
    "skipped": "skipped",
    "cancelled": "cancelled",
}


def cell(node: NodeResult) -> str:
    if node.status == "running":
        return node.phase or "running"
    text = _SHORT.get(node.status, node.status)
    if node.status == "pending" and node.phase:
        text = node.phase
    plan = node.plan
    if plan and node.status in ("succeeded", "changes", "pending") and node.phase != "waits for upstream apply":
        text += f" +{plan['add']}~{plan['change']}-{plan['destroy']}"
    if node.reused_from:
        text += " (reused)"
    return text


def render_grid(nodes: Sequence[NodeResult], layers: Sequence[str]) -> str:
    clients = sorted({n.client for n in nodes})
    by_key = {(n.client, n.layer): n for n in nodes}
    headers = ["client", *layers]
    rows = [[c, *[cell(by_key[(c, ly)]) if (c, ly) in by_key else "" for ly in layers]] for c in clients]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def summary_line(report: RunReport) -> str:
    counts = {k: v for k, v in report.counts().items() if v}
    parts = ", ".join(f"{v} {k}" for k, v in counts.items())
    return f"{report.action} {report.run_id}: {parts or 'nothing to do'} in {report.duration_s:.1f}s"


class Progress:
    """Observer for run_graph: redraws the grid in place (terminal) or prints one line per change."""

    def __init__(self, stream: TextIO, *, live: bool, layers: Sequence[str], min_interval: float = 0.2) -> None:
        self.stream = stream
        self.live = live
        self.layers = list(layers)
        self.min_interval = min_interval
        self.nodes: dict[tuple[str, str], NodeResult] = {}
        self._drawn = 0
        self._last = 0.0
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], str] = {}

    def __call__(self, node: NodeResult) -> None:
        with self._lock:
            self.nodes[node.key] = node
            if self.live:
                if time.monotonic() - self._last >= self.min_interval or node.status not in ("running", "pending"):
                    self._draw()
                return
            text = cell(node)
            if self._seen.get(node.key) == text:
                return
            self._seen[node.key] = text
            extra = f" - {node.error}" if node.error and node.status in ("failed", "skipped", "cancelled") else ""
            self.stream.write(f"{node.client} {node.layer}: {text}{extra}\n")
            self.stream.flush()

    def message(self, text: str) -> None:
        with self._lock:
            if self.live and self._drawn:
                self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
                self._drawn = 0
            self.stream.write(text + "\n")
            self.stream.flush()

    def _draw(self) -> None:
        text = render_grid(list(self.nodes.values()), self.layers)
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
        self.stream.write(text + "\n")
        self.stream.flush()
        self._drawn = text.count("\n") + 1
        self._last = time.monotonic()

    def close(self) -> None:
        """Erase the live grid (the caller prints the final summary)."""
        with self._lock:
            if self.live and self._drawn:
                self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
                self.stream.flush()
                self._drawn = 0
