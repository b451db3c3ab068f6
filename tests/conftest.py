"""Shared fixtures: a scratch copy of the repository's registry, and an in-process CLI runner that goes
through the real entry point (error handling and exit codes included)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Result, Runner, copy_registry

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the shipped registry and its rendered files, safe to modify."""
    return copy_registry(REPO, tmp_path / "repo")


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runner:
    """Run ``clientctl ARGS`` in-process through ``clientctl.cli.main``; returns exit code and output."""
    from clientctl.cli import main

    def run(*args: str, cwd: Path | None = None, input: str | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        if input is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        monkeypatch.setattr(sys, "argv", ["clientctl", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def gitrepo(tmp_path: Path) -> Path:
    """A git repository (branch main, one commit) with the shipped registry, layer roots and modules."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("platform.yaml", "cidr-registry.yaml"):
        shutil.copy(REPO / name, root / name)
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*")
    for name in ("clients", "providers", "modules"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "user.name", "test")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "registry")
    git(root, "checkout", "-q", "-b", "change")
    return root
