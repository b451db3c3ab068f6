"""Issue 12.3: the global options work after the command too (`clientctl s3 verify -o json`), as in awscli and
kubectl; a command's own option of the same name keeps its meaning."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Runner


def test_output_root_and_verbose_after_the_command(repo: Path, cli: Runner, tmp_path: Path) -> None:
    before = cli("-o", "json", "--root", str(repo), "client", "list", cwd=tmp_path)
    after = cli("client", "list", "-o", "json", "--root", str(repo), cwd=tmp_path)
    assert before.code == after.code == 0, after.text
    assert json.loads(after.out) == json.loads(before.out)
    assert json.loads(after.out)["ok"] is True
    nested = cli("cidr", "validate", "--output", "json", "-v", cwd=repo)
    assert nested.code == 0 and json.loads(nested.out)["ok"] is True


def test_errors_after_a_late_output_option_are_json(repo: Path, cli: Runner) -> None:
    result = cli("client", "show", "nope", "-o", "json", cwd=repo)
    assert result.code == 2
    data = json.loads(result.out)
    assert data["ok"] is False and "unknown client" in data["error"]


def test_a_command_with_its_own_o_keeps_it(repo: Path, cli: Runner, tmp_path: Path) -> None:
    target = tmp_path / "layers.dot"
    result = cli("graph", "--layers", "-o", str(target), cwd=repo)
    assert result.code == 0, result.text
    assert "digraph layers {" in target.read_text()
    as_json = cli("graph", "--layers", "--output", "json", cwd=repo)
    assert as_json.code == 0 and json.loads(as_json.out)["format"] == "dot"
