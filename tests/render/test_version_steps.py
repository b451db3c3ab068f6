"""Issue 13.4: a Kubernetes jump of more than one minor (or a downgrade) against the rendered layers warns."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Runner, edit


@pytest.mark.parametrize(
    ("rendered", "needle"),
    [("1.32", "step through 1.33, 1.34"), ("1.36", "cannot be downgraded")],
)
def test_a_version_jump_against_the_rendered_layers_warns(repo: Path, cli: Runner, rendered: str, needle: str) -> None:
    tfvars = next(repo.glob("providers/**/02-platform/*/clients.auto.tfvars.json"))
    text = tfvars.read_text()
    assert '"kubernetes": "1.35"' in text
    tfvars.write_text(text.replace('"kubernetes": "1.35"', f'"kubernetes": "{rendered}"'))
    result = cli("validate", "--only", "render", cwd=repo)
    assert "platform.kubernetes-step" in result.text and needle in result.text, result.text
    assert "platform.yaml:" in result.text


def test_one_minor_step_is_quiet(repo: Path, cli: Runner) -> None:
    tfvars = next(repo.glob("providers/**/02-platform/*/clients.auto.tfvars.json"))
    tfvars.write_text(tfvars.read_text().replace('"kubernetes": "1.35"', '"kubernetes": "1.34"'))
    result = cli("validate", "--only", "render", cwd=repo)
    assert "platform.kubernetes-step" not in result.text


def test_banana_is_refused(repo: Path, cli: Runner) -> None:
    edit(repo, "platform.yaml", 'kubernetes: "1.35"', 'kubernetes: "banana"')
    result = cli("validate", cwd=repo)
    assert result.code == 2 and "banana" in result.text and "Traceback" not in result.text, result.text
