"""Issue 15.3 / 15.4: inputs from an adversarial trial, each through the CLI.

Before the fixes each of these printed a traceback (exit 1), hung, echoed 100k characters, copied 5 MB
into the ledger, blamed no file, or wrote generated files 0600 whatever the umask.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import ACME, Runner, assert_clean_failure, edit, snapshot

CASES: list[tuple[str, Callable[[Path], object], tuple[str, ...]]] = [
    (
        "impossible date",
        lambda r: edit(r, ACME, "allocated_date: 2026-01-05", "allocated_date: 2026-13-45"),
        (f"{ACME}:12", "'2026-13-45' is not a valid date", "month must be in 1..12"),
    ),
    (
        "complex key",
        lambda r: (r / ACME).write_text((r / ACME).read_text() + "? [a, b]\n: 1\n"),
        (ACME, "a key must be a plain value"),
    ),
    (
        "5000-digit integer",
        lambda r: edit(r, ACME, "min_size: 2", "min_size: " + "9" * 5000),
        (f"{ACME}:18", "is not a valid whole number", "5,000 digits"),
    ),
    (
        "notes longer than the limit",
        lambda r: edit(r, ACME, "notes: First client", "notes: " + "n" * 600),
        (f"{ACME}:13", "network.notes", "at most 500 characters"),
    ),
]


@pytest.mark.parametrize(("label", "mutate", "needles"), CASES, ids=[c[0] for c in CASES])
def test_hostile_registry_values_are_config_errors(
    repo: Path, cli: Runner, label: str, mutate: Callable[[Path], None], needles: tuple[str, ...]
) -> None:
    mutate(repo)
    before = snapshot(repo)
    result = cli("validate", "--only", "registry", cwd=repo)
    assert_clean_failure(result.code, result.text, 2, *needles)
    assert snapshot(repo) == before


def test_a_huge_value_is_echoed_cut_with_its_length(repo: Path, cli: Runner) -> None:
    edit(repo, ACME, "client_code: ACME", "client_code: " + "X" * 100_000)
    result = cli("validate", "--only", "registry", cwd=repo)
    assert_clean_failure(result.code, result.text, 2, "client_code", "(100,000 characters)")
    assert len(result.text) < 2_000


def test_set_replacing_a_section_with_a_scalar_is_refused(repo: Path, cli: Runner) -> None:
    before = snapshot(repo)
    result = cli("client", "add", "probe", "--set", "metadata=5", "--contact-email", "a@b.example", cwd=repo)
    assert_clean_failure(result.code, result.text, 2, "metadata", "valid dictionary", "was not written")
    assert snapshot(repo) == before


def test_a_fifo_in_clients_is_refused_not_waited_on(repo: Path, cli: Runner) -> None:
    os.mkfifo(repo / "clients" / "x.yaml")
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(cli("validate", "--only", "registry", cwd=repo)))
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the reader so the test run itself does not hang
        with open(repo / "clients" / "x.yaml", "w"):
            pass
        worker.join()
        pytest.fail("validate blocked on a FIFO in clients/")
    (res,) = result
    assert_clean_failure(res.code, res.text, 2, "clients/x.yaml", "not a regular file")  # type: ignore[attr-defined]


def test_no_free_block_names_the_file_that_holds_the_pool(repo: Path, cli: Runner) -> None:
    edit(repo, ACME, "vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.0.0.0/8")
    before = snapshot(repo)
    result = cli("client", "add", "probe", "--contact-email", "a@b.example", cwd=repo)
    assert_clean_failure(
        result.code, result.text, 2, "no free /16 block", "clients/acme-corp.yaml (vpc_cidr 10.0.0.0/8)"
    )
    assert snapshot(repo) == before


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_generated_files_keep_the_umask_mode(repo: Path, cli: Runner, umask: int, mode: int) -> None:
    ledger = repo / "cidr-registry.yaml"
    tfvars = next(repo.glob("providers/**/01-foundation/*/clients.auto.tfvars.json"))
    ledger.unlink()
    tfvars.unlink()
    old = os.umask(umask)
    try:
        result = cli("render", cwd=repo)
    finally:
        os.umask(old)
    assert result.code == 0, result.text
    assert stat.S_IMODE(ledger.stat().st_mode) == mode
    assert stat.S_IMODE(tfvars.stat().st_mode) == mode
