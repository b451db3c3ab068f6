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

from clientctl import fsutil, paths
from clientctl.paths import TERRAFORM_TOPS
from clientctl.terraform.standin import StandinConfig, install

#: Never copied: Terraform's working data, lock files with real or stand-in hashes, state, plans.
_SKIP_NAMES: Final = frozenset({".terraform", ".terraform.lock.hcl"})
_SKIP_SUFFIXES: Final = (".tfstate", ".tfplan", ".backup")
#: In the work folder: a digest of the stand-in executables the copy's lock files were written with.
STANDIN_MARK: Final = "standin.digest"
#: In the work folder: held while a process refreshes the copy (:func:`prepare`).
PREPARE_LOCK: Final = ".prepare.lock"


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
                # Whole or not at all: a Terraform of another process may be reading this copy right now.
                fsutil.atomic_write(dst, data)
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
    # Two clientctl processes may prepare one copy at once (parallel test workers, `validate` beside a run):
    # one at a time, so the second finds the stand-in mark the first wrote and deletes no lock file of its.
    with fsutil.file_lock(work / PREPARE_LOCK):
        digest = hashlib.sha256(sync_tree(root, tree, copied).encode())
        standins = install(work / "standin")
        standin_digest = hashlib.sha256()
        for name, exe in sorted(standins.executables.items()):
            standin_digest.update(name.encode() + b"\0" + hashlib.sha256(exe.read_bytes()).digest())
        forget_other_standins(work, tree, standin_digest.hexdigest())
    digest.update(standin_digest.digest())
    return tree, standins, digest.hexdigest()


def forget_other_standins(work: Path, tree: Path, standin_digest: str) -> None:
    """Delete the copy's lock files when they may hold other stand-ins' hashes.

    ``terraform init`` records the stand-ins' ``h1:`` hashes in each folder's ``.terraform.lock.hcl``. The
    stand-in executables embed the interpreter and source paths, so they change when the virtualenv or the
    checkout moves, or when the stand-ins' module moved (from iac/ to terraform/). A lock from before then
    matches no package, and every init fails with "the local package ... doesn't match any of the checksums".
    This copy's lock files only ever hold stand-in hashes (the repository's are never copied), so after a
    change of stand-ins, or in a copy from before this mark existed, they are deleted and the next init writes
    them afresh. Both callers (validation, sandbox runs) then init again: their init marks cover the lock
    file or this digest.
    """
    mark = work / STANDIN_MARK
    if mark.is_file() and mark.read_text(encoding="utf-8").strip() == standin_digest:
        return
    if tree.is_dir():
        for lock in tree.rglob(".terraform.lock.hcl"):
            lock.unlink(missing_ok=True)
    mark.parent.mkdir(parents=True, exist_ok=True)
    fsutil.atomic_write(mark, standin_digest + "\n")
