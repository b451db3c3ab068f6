"""The work copy Terraform runs in: ``modules/`` and ``providers/`` mirrored into a folder outside the
repository, with the provider stand-ins installed beside it.

``terraform init`` records the providers' hashes in ``.terraform.lock.hcl`` in the folder it runs in, and a
lock file with stand-in hashes must never be committed. So runs with the stand-ins happen on a **copy**,
refreshed file by file on every run (relative module sources stay valid, and each copy's ``.terraform/``
stays warm between runs). Two callers: ``terraform validate``/``test`` (iac/tf_validate.py, in
``<repo>/.clientctl/iac/``) and sandbox runs (terraform/setup.py, in ``<repo>/.clientctl/sandbox-terraform/``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from clientctl import paths
from clientctl.paths import TERRAFORM_TOPS
from clientctl.terraform.standin import StandinConfig, install

#: Never copied: Terraform's working data, lock files with real or stand-in hashes, state, plans.
_SKIP_NAMES: Final = frozenset({".terraform", ".terraform.lock.hcl"})
_SKIP_SUFFIXES: Final = (".tfstate", ".tfplan", ".backup")


def work_dir(root: Path) -> Path:
    """The validation folder (``terraform validate``/``test``), the default of :func:`prepare`."""
    return paths.iac_work_dir(root)


def sync_tree(root: Path, tree: Path, tops: Sequence[str] = TERRAFORM_TOPS) -> str:
    """Mirror the Terraform folders of ``root`` into ``tree`` (only changed files are written; files gone
    from the repository are removed). Returns a digest of everything copied."""
    digest = hashlib.sha256()
    wanted: set[Path] = set()
    for top in tops:
        for src in sorted(copied_files(root / top)):
            rel_path = src.relative_to(root)
            data = src.read_bytes()
            digest.update(str(rel_path).encode() + b"\0" + hashlib.sha256(data).digest())
            dst = tree / rel_path
            wanted.add(dst)
            if not dst.is_file() or dst.read_bytes() != data:
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_bytes(data)
    for top in tops:
        for old in copied_files(tree / top):
            if old not in wanted:
                old.unlink()
    return digest.hexdigest()


def copied_files(folder: Path) -> Iterable[Path]:
    """Every file under ``folder`` that a work copy takes (none of Terraform's working data, lock files,
    state or plans)."""
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_NAMES]
        for name in filenames:
            if name not in _SKIP_NAMES and not name.endswith(_SKIP_SUFFIXES):
                yield Path(dirpath) / name


def prepare(
    root: Path, tops: Sequence[str] = TERRAFORM_TOPS, work: Path | None = None
) -> tuple[Path, StandinConfig, str]:
    """Copy the Terraform into ``work`` (default: the validation folder) and install the stand-ins there:
    (tree, stand-ins, digest of both). Sandbox runs use their own ``work`` (clientctl.terraform.setup)."""
    work = work or work_dir(root)
    tree = work / "tree"
    # Modules call their siblings (../kms-key): the whole modules/ folder goes along with any selection.
    copied = sorted({*tops, "modules"}) if (root / "modules").is_dir() else list(tops)
    digest = hashlib.sha256(sync_tree(root, tree, copied).encode())
    standins = install(work / "standin")
    # The stand-ins' packages are part of what an init recorded (their hashes in .terraform.lock.hcl): a copy
    # initialised with other stand-ins (e.g. from before they moved to terraform/standin) must init again.
    for name, exe in sorted(standins.executables.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(exe.read_bytes()).digest())
    return tree, standins, digest.hexdigest()
