"""On-disk places clientctl writes outside the registry files (as ``naming.py`` is for AWS names).

``<repo>/.clientctl/`` is git-ignored and holds run logs, locks, workflow state and, since backups must
never land in the working tree, the default backup folder of ``s3 destroy``. Outside a repository the
same data goes under the user's state folder (``$XDG_STATE_HOME/clientctl``, default
``~/.local/state/clientctl``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Final

STATE_DIR: Final = ".clientctl"


def state_dir(root: Path | None) -> Path:
    """``<root>/.clientctl`` inside a repository, the user's state folder outside one."""
    if root is not None:
        return root / STATE_DIR
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "clientctl"


def default_backup_dir(root: Path | None, now: dt.datetime | None = None) -> Path:
    """Where ``s3 destroy`` backs up when ``--backup`` names no folder: one timestamped folder per run.

    The folder is only named here; the backup creates it when it writes the first file.
    """
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return state_dir(root) / "backups" / stamp
