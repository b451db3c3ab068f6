"""terraform/binary.py: the one place that finds Terraform, reads its version and matches constraints."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clientctl.errors import ConfigError
from clientctl.iac.check import version_satisfies
from clientctl.terraform import binary


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("1.15.5", ">= 1.10.0", True),
        ("1.9.0", ">= 1.10.0", False),
        ("1.15.5", "~> 1.10", True),
        ("2.0.0", "~> 1.10", False),
        ("1.15.5", "~> 1.10.2", False),
        ("1.10.7", "~> 1.10.2", True),
        ("6.69.1", "~> 6", True),  # go-version: one segment pins nothing above it
        ("5.9.0", "~> 6", False),
        ("6.69.1", "~> 6.0", True),
        ("6.69.1", "~> 6.70.0", False),
        ("6.69.1", ">= 6.0", True),
        ("6.69.1", ">= 7.0", False),
        ("6.69.1", "= 6.69.1", True),
        ("6.69.1", "6.69.1", True),
        ("6.69.1", ">= 6.0, < 7", True),
        ("7.0.0", ">= 6.0, < 7", False),
        ("6.69.1", "!= 6.69.1", False),
        ("v1.15.5", "> 1.15", True),
    ],
)
def test_constraints(version: str, constraint: str, expected: bool) -> None:
    assert binary.satisfies(version, constraint) is expected
    # iac check's schema-version rule reads constraints through the very same function
    assert version_satisfies(version, constraint) is expected


def test_unreadable_constraint() -> None:
    with pytest.raises(ValueError, match="cannot read version constraint 'latest'"):
        binary.satisfies("1.15.5", "latest")
    assert version_satisfies("1.15.5", "latest") is None


def _fake_terraform(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "terraform"
    path.write_text('#!/bin/sh\necho \'{"terraform_version": "1.15.5"}\'\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_find_prefers_explicit_then_repo_venv_then_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        binary, "_candidates", lambda root: iter([root / ".venv" / "bin" / "terraform"] if root else [])
    )
    on_path = _fake_terraform(tmp_path / "path-bin")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert binary.find(root=tmp_path / "repo") == on_path
    in_venv = _fake_terraform(tmp_path / "repo" / ".venv" / "bin")
    assert binary.find(root=tmp_path / "repo") == in_venv
    assert binary.find("/opt/tf/terraform", tmp_path / "repo") == Path("/opt/tf/terraform")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert binary.find(root=tmp_path / "elsewhere") is None
    with pytest.raises(ConfigError, match="no Terraform CLI found"):
        binary.require(root=tmp_path / "elsewhere")


def test_version_and_environment(tmp_path: Path) -> None:
    fake = _fake_terraform(tmp_path)
    assert binary.version(fake, os.environ) == "1.15.5"
    broken = tmp_path / "broken"
    broken.write_text("#!/bin/sh\necho nope >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    with pytest.raises(ConfigError, match="did not report a version \\(exit 3\\): nope"):
        binary.version(broken, os.environ)
    env = binary.environment({"TF_CLI_CONFIG_FILE": str(tmp_path / "missing.rc"), "HOME": "/h"})
    assert env == {"TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1", "HOME": "/h"}
    kept = binary.environment({"TF_CLI_CONFIG_FILE": str(fake)})
    assert kept["TF_CLI_CONFIG_FILE"] == str(fake)
