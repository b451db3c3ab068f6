"""The git plumbing change detection needs: changed files between two revisions, and a revision's files.

Every call runs ``git -C <root>``; paths are relative to ``root`` (the folder holding platform.yaml), which
may be a sub-folder of the git repository. A git failure is a :class:`~clientctl.errors.ConfigError` that
says which revision or command failed and what to do, never a traceback.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
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


class Tree:
    """The files of one revision: a commit read from git's object store (nothing is written to disk), or, with
    ``commit=None``, the working tree. Paths are relative to ``root``, with ``/``."""

    def __init__(self, root: Path, commit: str | None) -> None:
        self.root, self.commit = root, commit
        self._cache: dict[str, str | None] = {}
        self._folders: dict[str, dict[str, str]] | None = None

    def _listing(self) -> dict[str, dict[str, str]]:
        """folder -> {file name: blob id}, from one ``git ls-tree -r``."""
        if self._folders is None:
            assert self.commit is not None
            entries = _lines(_git(self.root, "ls-tree", "-r", "-z", self.commit, "--", ".", what=self.commit))
            folders: dict[str, dict[str, str]] = {}
            for entry in entries:
                meta, _, name = entry.partition("\t")
                folder, _, file = name.rpartition("/")
                folders.setdefault(folder, {})[file] = meta.split()[2]
            self._folders = folders
        return self._folders

    def _blob(self, path: str) -> str | None:
        folder, _, file = path.rpartition("/")
        return self._listing().get(folder, {}).get(file)

    def files(self, folder: str) -> list[str]:
        """The names of the files directly in ``folder`` ("" is the root), sorted."""
        if self.commit is None:
            path = self.root / folder
            return sorted(p.name for p in path.iterdir() if p.is_file()) if path.is_dir() else []
        return sorted(self._listing().get(folder, {}))

    def files_under(self, folder: str, suffix: str) -> list[str]:
        """Every path below ``folder`` (at any depth) whose name ends with ``suffix``, sorted."""
        if self.commit is None:
            base = self.root / folder
            found = base.rglob(f"*{suffix}") if base.is_dir() else iter(())
            return sorted(p.relative_to(self.root).as_posix() for p in found if p.is_file())
        return sorted(
            f"{name}/{file}" if name else file
            for name, files in self._listing().items()
            if name == folder or name.startswith(folder + "/")
            for file in files
            if file.endswith(suffix)
        )

    def read_many(self, paths: Sequence[str]) -> dict[str, str | None]:
        """The text of each path (None: absent), with one ``git cat-file --batch`` for all of them."""
        wanted = [p for p in dict.fromkeys(paths) if p not in self._cache]
        if wanted and self.commit is None:
            for path in wanted:
                try:
                    self._cache[path] = (self.root / path).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    self._cache[path] = None
        elif wanted:
            # By blob id: git looks a path up by scanning its tree, which for 10,000 client files is quadratic.
            blobs = {path: self._blob(path) for path in wanted}
            for path, blob in blobs.items():
                if blob is None:
                    self._cache[path] = None
            asked = [(path, blob) for path, blob in blobs.items() if blob is not None]
            request = "".join(f"{blob}\n" for _path, blob in asked).encode()
            git_bin = shutil.which("git") or "git"
            proc = subprocess.run(
                [git_bin, "-C", str(self.root), "cat-file", "--batch"], input=request, capture_output=True, check=False
            )
            if proc.returncode != 0:
                raise ConfigError(f"cannot read the files of {self.commit}: {proc.stderr.decode().strip()}")
            out, at = proc.stdout, 0
            for path, _blob in asked:
                end = out.index(b"\n", at)
                header = out[at:end].split()
                at = end + 1
                if len(header) < 3 or header[1] == b"missing":
                    self._cache[path] = None
                    continue
                size = int(header[2])
                self._cache[path] = out[at : at + size].decode("utf-8", "replace")
                at += size + 1
        return {p: self._cache[p] for p in paths}

    def read(self, path: str) -> str | None:
        return self.read_many([path])[path]
