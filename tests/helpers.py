"""Helpers shared by tests (importable as ``tests.helpers``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


Runner = Callable[..., Result]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: to prove a failed command changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".clientctl" not in p.parts
    }
