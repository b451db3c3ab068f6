"""All-or-nothing registry changes: a change is staged in full, journaled, then written file by file.

Each file is written atomically (``fsutil.atomic_write``), but a change such as ``client add`` writes
several: the client file, the CIDR ledger and every layer's ``clients.auto.tfvars.json``. A process
killed between two of them left the registry inconsistent (issue 14.2). Now:

1. the caller computes every file's new content in memory and validates it (nothing is written yet);
2. :func:`apply` writes the journal ``<repo>/.clientctl/journal/registry.json`` atomically: the operation,
   and for every file its content before and after (``null`` = absent);
3. it writes (or deletes) each file in order, then removes the journal.

The journal is the commit point. Killed before it exists, nothing changed; killed after, the change is
validated and complete in the journal, so :func:`recover`, which every registry command runs first (under
the registry lock), **completes** it: it writes the files that still hold their "before" content. A file
that holds neither its "before" nor its "after" content was edited by hand meanwhile; then nothing is
touched and the user is told which file and where the journal is.

``CLIENTCTL_TEST_KILL_AT=N`` makes the process kill itself with SIGKILL at the N-th write boundary (0:
before the journal, 1: after it, 1+i: after the i-th file, last: after the journal is removed). It exists for
the crash tests in ``tests/registry/test_journal.py``, which run the CLI in a subprocess per boundary.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from clientctl import paths
from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write

JOURNAL_VERSION: Final = 1
KILL_ENV: Final = "CLIENTCTL_TEST_KILL_AT"


@dataclass(frozen=True)
class FileChange:
    """One file of a change, as a path relative to the repository root."""

    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did: the operation it completed and the files it wrote."""

    operation: str
    written: tuple[str, ...]

    def message(self) -> str:
        return (
            f"completed an interrupted `{self.operation}` from its journal: "
            f"{len(self.written)} file(s) written ({', '.join(self.written) or 'none left'})"
        )


def stage(root: Path, contents: dict[Path, str | None]) -> list[FileChange]:
    """The changes needed to bring each path to its content (None: delete), skipping files already so."""
    changes = []
    for path, after in sorted(contents.items()):
        try:
            before: str | None = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            before = None
        if before != after:
            changes.append(FileChange(str(path.relative_to(root)), before, after))
    return changes


def apply(root: Path, operation: str, changes: Sequence[FileChange]) -> None:
    """Journal ``changes``, write them in order, remove the journal. The caller holds the registry lock."""
    if not changes:
        return
    journal = paths.registry_journal_file(root)
    boundary = _boundaries()
    boundary()
    doc = {
        "version": JOURNAL_VERSION,
        "operation": operation,
        "files": [{"path": c.path, "before": c.before, "after": c.after} for c in changes],
    }
    atomic_write(journal, json.dumps(doc, indent=1) + "\n")
    boundary()
    for change in changes:
        _write(root / change.path, change.after)
        boundary()
    journal.unlink()
    boundary()


def recover(root: Path) -> Recovery | None:
    """Complete a change a killed process left in the journal (the caller holds the registry lock)."""
    journal = paths.registry_journal_file(root)
    try:
        doc = json.loads(journal.read_text(encoding="utf-8"))
        operation = str(doc["operation"])
        changes = [FileChange(f["path"], f["before"], f["after"]) for f in doc["files"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{journal}: unreadable registry journal ({exc})",
            hint="an interrupted change cannot be completed automatically; check `git status`, then delete the journal",
        ) from None
    pending = []
    for change in changes:
        path = root / change.path
        try:
            current: str | None = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current == change.after:
            continue
        if current != change.before:
            raise ConfigError(
                f"an interrupted `{operation}` cannot be completed: {change.path} was changed by hand since",
                hint=f"compare with its journal {journal} (before/after of every file), fix by hand, then delete it",
            )
        pending.append(change)
    for change in pending:
        _write(root / change.path, change.after)
    journal.unlink()
    return Recovery(operation, tuple(c.path for c in pending))


def _write(path: Path, content: str | None) -> None:
    if content is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        atomic_write(path, content)


def _boundaries() -> _Boundary:
    raw = os.environ.get(KILL_ENV)
    return _Boundary(int(raw) if raw and raw.isdigit() else None)


class _Boundary:
    """Counts write boundaries; kills the process at the one named by CLIENTCTL_TEST_KILL_AT."""

    def __init__(self, kill_at: int | None) -> None:
        self.kill_at = kill_at
        self.count = 0

    def __call__(self) -> None:
        if self.count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        self.count += 1
