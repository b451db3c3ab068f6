"""The work copy Terraform runs in (clientctl.terraform.workcopy) after the stand-ins changed.

The stand-in executables embed the interpreter's path, so a new virtualenv, a moved checkout or a moved
stand-in module gives them new ``h1:`` hashes. A warm copy's ``.terraform.lock.hcl`` from before then matches
no package and ``terraform init`` fails ("doesn't match any of the checksums"). Each test changes the stand-ins
the way a new virtualenv does: ``sys.executable`` becomes another path to the same interpreter.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from clientctl.aws.session import AwsTarget
from clientctl.terraform import binary, workcopy
from clientctl.terraform.setup import make_runner
from tests.helpers import Runner

REPO = Path(__file__).resolve().parents[2]
LOCK = ".terraform.lock.hcl"


def other_interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next stand-in install name another path to this interpreter (as a new virtualenv would)."""
    wrapper = tmp_path / "bin" / "python"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(wrapper))


def layer(root: Path) -> Path:
    folder = root / "providers" / "layer"
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(
        'terraform {\n  required_providers {\n    random = { source = "hashicorp/random" }\n  }\n}\n\n'
        'resource "random_id" "x" {\n  byte_length = 4\n}\n'
    )
    (folder / "backend.hcl").write_text('path = "unused"\n')
    return folder


@pytest.mark.parametrize(
    ("change", "lock_kept"),
    [
        ("none", True),
        ("other stand-ins", False),
        # Copies made before the mark existed (e.g. with the stand-ins of clientctl.iac) cannot be trusted.
        ("mark missing", False),
    ],
)
def test_lock_files_are_kept_only_while_the_stand_ins_stay_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, lock_kept: bool
) -> None:
    root = tmp_path / "repo"
    layer(root)
    work = tmp_path / "work"
    tree, _, first = workcopy.prepare(root, work=work)
    lock = tree / "providers" / "layer" / LOCK
    lock.write_text("# from the last init\n")
    if change == "other stand-ins":
        other_interpreter(tmp_path, monkeypatch)
    elif change == "mark missing":
        (work / workcopy.STANDIN_MARK).unlink()
    _, _, second = workcopy.prepare(root, work=work)
    assert lock.is_file() == lock_kept
    # The digest callers key their init marks on changes with the stand-ins, not with the mark.
    assert (first == second) == (change != "other stand-ins")


def test_a_refreshed_file_is_replaced_whole(tmp_path: Path) -> None:
    """A Terraform of another process reading the copy while it is refreshed sees the old file or the new
    one, never a part: a reader that opened the old file still reads all of it."""
    root = tmp_path / "repo"
    folder = layer(root)
    tree = tmp_path / "tree"
    workcopy.sync_tree(root, tree)
    copied = tree / "providers" / "layer" / "main.tf"
    old = copied.read_bytes()
    with copied.open("rb") as reader:
        (folder / "main.tf").write_text("# changed\n")
        workcopy.sync_tree(root, tree)
        assert reader.read() == old
    assert copied.read_text() == "# changed\n"
    assert sorted(p.name for p in copied.parent.iterdir()) == ["backend.hcl", "main.tf"]  # no temp file left


def test_a_warm_sandbox_copy_initialises_again_after_the_stand_ins_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real Terraform, through the sandbox runner: init, new stand-ins, init again in the same copy."""
    terraform = binary.find(None, REPO)
    if terraform is None:
        pytest.skip("no Terraform CLI: run ./dev setup")
    monkeypatch.delenv("TF_PLUGIN_CACHE_DIR", raising=False)
    root = tmp_path / "repo"
    folder = layer(root)
    target = AwsTarget(endpoint_url="http://127.0.0.1:9", region="us-east-2")  # loopback: the stand-ins

    def init_and_plan() -> str:
        runner = make_runner(root, target, terraform=str(terraform))
        log = io.StringIO()
        session = runner.session(folder, "default", tmp_path / "data", log)
        assert session.init().ok, log.getvalue()
        step, _ = session.plan(tmp_path / "plan.tfplan")
        assert step.exit_code == 2, log.getvalue()  # 2: one resource to add
        return log.getvalue()

    assert "init skipped" not in init_and_plan()
    assert "init skipped" in init_and_plan()
    other_interpreter(tmp_path, monkeypatch)
    # The same copy, data folder and plugin cache as before: only the stand-ins changed.
    assert "init skipped" not in init_and_plan()
    assert "init skipped" in init_and_plan()


def test_a_warm_validation_copy_validates_again_after_the_stand_ins_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Runner
) -> None:
    """`iac check --only validate` twice in one checkout, with other stand-ins the second time."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "modules" / "kms-key", root / "modules" / "kms-key")
    shutil.copy(REPO / "platform.yaml", root / "platform.yaml")

    def validate() -> None:
        result = cli("--root", str(root), "-o", "json", "iac", "check", "--only", "validate")
        assert result.code == 0, result.text

    validate()
    other_interpreter(tmp_path, monkeypatch)
    validate()
