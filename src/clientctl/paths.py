"""Every on-disk name under the repository, in one place (as ``naming.py`` is for AWS names).

The registry: ``platform.yaml``, ``clients/<name>.yaml`` and the generated ledger ``cidr-registry.yaml``.

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

PLATFORM_FILE: Final = "platform.yaml"
CLIENTS_DIR: Final = "clients"
LEDGER_FILE: Final = "cidr-registry.yaml"
STATE_DIR: Final = ".clientctl"
#: The run report's file name inside its run folder.
REPORT_FILE: Final = "report.json"
#: Folders of the repository that hold Terraform (copied into a work copy: terraform/workcopy.py).
TERRAFORM_TOPS: Final = ("modules", "providers")


def client_path(name: str) -> str:
    """``clients/<name>.yaml``, relative to the repository (also a git path: changes/affected.py)."""
    return f"{CLIENTS_DIR}/{name}.yaml"


def client_file(root: Path, name: str) -> Path:
    """The client's registry file."""
    return root / CLIENTS_DIR / f"{name}.yaml"


def state_dir(root: Path | None) -> Path:
    """``<root>/.clientctl`` inside a repository, the user's state folder outside one."""
    if root is not None:
        return root / STATE_DIR
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "clientctl"


def runs_dir(root: Path | None) -> Path:
    """``.clientctl/runs/``: one folder per plan/apply/destroy/drift run (report.json, node logs)."""
    return state_dir(root) / "runs"


def run_report_file(root: Path | None, run_id: str) -> Path:
    return runs_dir(root) / run_id / REPORT_FILE


def tfdata_dir(state: Path) -> Path:
    """Per-client ``TF_DATA_DIR`` folders under a state folder (``.clientctl/tfdata/<client>/<layer>``)."""
    return state / "tfdata"


def workflow_state_file(root: Path, kind: str, client: str) -> Path:
    """``.clientctl/onboard/<client>.json`` or ``.clientctl/offboard/<client>.json``: a workflow's steps."""
    return state_dir(root) / kind / f"{client}.json"


def registry_lock_file(root: Path) -> Path:
    """Held while the registry files change (edits.py)."""
    return state_dir(root) / "locks" / "registry.lock"


def registry_journal_file(root: Path) -> Path:
    """The journal of a registry change in flight (registry/journal.py)."""
    return state_dir(root) / "journal" / "registry.json"


def iac_work_dir(root: Path) -> Path:
    """The copy of modules/ and providers/ that ``terraform validate``/``test`` run in (iac/tf_validate.py; the
    copy is made by terraform/workcopy.py)."""
    return state_dir(root) / "iac"


def sandbox_terraform_dir(root: Path) -> Path:
    """The copy of the layers that sandbox runs use, with its own plugin cache (terraform/setup.py)."""
    return state_dir(root) / "sandbox-terraform"


def plugin_cache_dir(root: Path) -> Path:
    """The provider plugin cache of real runs, unless ``TF_PLUGIN_CACHE_DIR`` names another."""
    return state_dir(root) / "plugin-cache"


def default_backup_dir(root: Path | None, now: dt.datetime | None = None) -> Path:
    """Where ``s3 destroy`` backs up when ``--backup`` names no folder: one timestamped folder per run.

    The folder is only named here; the backup creates it when it writes the first file.
    """
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    return state_dir(root) / "backups" / stamp
