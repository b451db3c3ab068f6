"""The git plumbing change detection needs: changed files between two revisions, and a revision's files.

Every call runs ``git -C <root>``; paths are relative to ``root`` (the folder holding platform.yaml), which
may be a sub-folder of the git repository. A git failure is a :class:`~clientctl.errors.ConfigError` that
says which revision or command failed and what to do, never a traceback.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Sequence
from pathlib import Path

from clientctl.errors import ConfigError

#: Default branches tried, in order, when ``--base`` is not given (the first that exists wins).
DEFAULT_BRANCHES: tuple[str, ...] = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


def _git(root: Path, *args: str, what: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise ConfigError("change detection needs git, which is not on PATH", hint="install git")
    proc = subprocess.run([git, "-C", str(root), *args], capture_output=True, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(
            f"{what}: git {' '.join(args[:2])} failed: {detail[-1] if detail else 'exit ' + str(proc.returncode)}",
            hint="check the revision names (--base/--head take any git revision: a branch, tag or commit)",
        )
    return proc.stdout


def _lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8", "surrogateescape").split("\0") if line]


def commit_of(root: Path, ref: str) -> str:
    """The commit ``ref`` names (ConfigError if it names none)."""
    return (
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", what=f"revision {ref!r}").decode().strip()
    )


def default_base(root: Path) -> tuple[str, str]:
    """(commit, description): the merge base of HEAD with the first of :data:`DEFAULT_BRANCHES` that exists."""
    for branch in DEFAULT_BRANCHES:
        try:
            commit_of(root, branch)
        except ConfigError:
            continue
        base = _git(root, "merge-base", "HEAD", branch, what=f"merge base of HEAD and {branch}").decode().strip()
        return base, f"merge base of HEAD and {branch}"
    raise ConfigError(
        "no default branch to compare with (tried " + ", ".join(DEFAULT_BRANCHES) + ")",
        hint="pass --base REF (e.g. --base origin/main, or the commit before a push)",
    )


def changed_files(root: Path, base: str, head: str | None) -> list[str]:
    """Files under ``root`` that differ between ``base`` and ``head`` (``None``: the working tree, untracked
    files included), as paths relative to ``root``. Renames are a deletion plus an addition."""
    args = ["diff", "--name-only", "--no-renames", "-z", "--relative", base]
    if head is not None:
        args.append(head)
    files = set(_lines(_git(root, *args, "--", ".", what="changed files")))
    if head is None:
        files |= set(untracked_files(root))
    return sorted(files)


def untracked_files(root: Path) -> list[str]:
    return _lines(_git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".", what="untracked files"))


def uncommitted_files(root: Path) -> list[str]:
    """Tracked files under ``root`` that differ from HEAD, plus untracked ones."""
    tracked = _lines(_git(root, "diff", "--name-only", "-z", "--relative", "HEAD", "--", ".", what="uncommitted"))
    return sorted({*tracked, *untracked_files(root)})


def export(
    root: Path, ref: str, paths: Sequence[str], into: Path, *, keep: Callable[[str], bool] = lambda _p: True
) -> Path:
    """Write ``paths`` (relative to ``root``) as they are at ``ref`` under ``into``, the files ``keep`` accepts;
    return the folder that plays ``root`` there. Paths that do not exist at ``ref`` are skipped."""
    prefix = _git(root, "rev-parse", "--show-prefix", what="repository layout").decode().strip()
    listed = _lines(_git(root, "ls-tree", "-r", "-z", "--name-only", "--full-name", ref, "--", *paths, what=ref))
    listed = [p for p in listed if keep(p)]
    target = into / prefix if prefix else into
    target.mkdir(parents=True, exist_ok=True)
    if not listed:
        return target
    top = Path(_git(root, "rev-parse", "--show-toplevel", what="repository layout").decode().strip())
    data = _git(top, "archive", "--format=tar", ref, "--", *listed, what=f"files of {ref}")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return target
