"""Issue 14.2: `client add` / `client set` killed (SIGKILL) at every write boundary leave the registry
either unchanged or, after the next clientctl command, fully changed, and that command says which.

The kill comes from a hook in the code (CLIENTCTL_TEST_KILL_AT, see clientctl/registry/journal.py), not
from a timer, so every boundary is hit exactly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from clientctl import paths
from clientctl.registry import journal
from tests.helpers import copy_registry, snapshot

EDITS = {
    "add": ["client", "add", "probe", "--contact-email", "ops@probe.example"],
    "set": ["client", "set", "acme-corp", "eks.desired_size=3"],
}
#: Files each edit changes: the client file, the ledger (add only) and the six layers' tfvars.
CHANGED = {"add": 8, "set": 7}


def clientctl(root: Path, *args: str, kill_at: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != journal.KILL_ENV}
    if kill_at is not None:
        env[journal.KILL_ENV] = str(kill_at)
    return subprocess.run(
        [sys.executable, "-m", "clientctl", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, dict[str, bytes]]:
    """The registry after each edit ran to completion, on a copy of its own."""
    from tests.conftest import REPO

    done = {}
    for edit, args in EDITS.items():
        root = tmp_path_factory.mktemp(f"complete-{edit}")
        copy_registry(REPO, root)
        result = clientctl(root, *args)
        assert result.returncode == 0, result.stderr
        done[edit] = snapshot(root)
    return done


# Boundaries: before the journal, after it, after each file, after the journal is removed.
BOUNDARIES = [(edit, b) for edit in sorted(EDITS) for b in range(CHANGED[edit] + 3)]


@pytest.mark.parametrize(("edit", "boundary"), BOUNDARIES)
def test_killed_edit_is_all_or_nothing(
    repo: Path, outcomes: dict[str, dict[str, bytes]], edit: str, boundary: int
) -> None:
    last = CHANGED[edit] + 2
    before = snapshot(repo)
    killed = clientctl(repo, *EDITS[edit], kill_at=boundary)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    after_kill = snapshot(repo)
    if boundary == 0:
        assert after_kill == before
    elif boundary < last:
        assert after_kill != outcomes[edit] or boundary == last - 1
        assert paths.registry_journal_file(repo).exists()

    follow = clientctl(repo, "validate", "--only", "registry")
    assert follow.returncode == 0, follow.stdout + follow.stderr
    state = snapshot(repo)
    if boundary == 0:
        assert state == before
        assert "interrupted" not in follow.stderr
    else:
        assert state == outcomes[edit]
        if boundary < last:
            assert f"completed an interrupted `client {edit}" in follow.stderr, follow.stderr
    assert not paths.registry_journal_file(repo).exists()
    assert clientctl(repo, "render", "--check").returncode == 0


def test_a_hand_edit_after_the_kill_stops_recovery_and_names_the_file(repo: Path) -> None:
    killed = clientctl(repo, *EDITS["add"], kill_at=3)
    assert killed.returncode == -signal.SIGKILL
    ledger = repo / "cidr-registry.yaml"
    ledger.write_text(ledger.read_text() + "# hand edit\n")
    result = clientctl(repo, "validate", "--only", "registry")
    assert result.returncode == 2
    assert "changed by hand" in result.stderr and "Traceback" not in result.stderr
    assert paths.registry_journal_file(repo).exists()


REMOVE = (
    "import datetime as dt, pathlib; from clientctl.edits import remove_client; "
    "remove_client(pathlib.Path('.'), 'globex', '10.101.0.0/16', 'us-east-2', 'production', dt.date(2026, 12, 2))"
)


def _remove(root: Path, kill_at: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != journal.KILL_ENV}
    if kill_at is not None:
        env[journal.KILL_ENV] = str(kill_at)
    return subprocess.run([sys.executable, "-c", REMOVE], cwd=root, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("boundary", range(10))
def test_offboarding_registry_change_killed_is_all_or_nothing(repo: Path, tmp_path: Path, boundary: int) -> None:
    """Offboarding's registry step (release the CIDR, delete the client file, render) is one change."""
    cidr = (repo / "clients" / "globex.yaml").read_text()
    assert "vpc_cidr: 10.101.0.0/16" in cidr, "the sample client's CIDR this test releases"
    complete = tmp_path / "complete"
    shutil.copytree(repo, complete)
    assert _remove(complete).returncode == 0
    expected = snapshot(complete)
    assert "clients/globex.yaml" not in expected and b"client: globex" in expected["cidr-registry.yaml"]
    before = snapshot(repo)
    assert _remove(repo, kill_at=boundary).returncode == -signal.SIGKILL
    follow = clientctl(repo, "validate", "--only", "registry")
    assert follow.returncode == 0, follow.stdout + follow.stderr
    assert snapshot(repo) == (before if boundary == 0 else expected)
    assert _remove(repo).returncode == 0 and snapshot(repo) == (expected)  # a rerun completes or changes nothing
