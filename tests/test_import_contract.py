"""The package layering contract (pyproject.toml [tool.importlinter], docs/architecture/packages.md) holds,
and lint-imports really refuses an upward import: one is planted in a copy of the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is installed by ./dev setup")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_the_package_keeps_its_layers() -> None:
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "planted", "message"),
    [
        (
            "naming.py",
            "import clientctl.registry.models",
            "clientctl.naming is not allowed to import clientctl.registry",
        ),
        ("render/render.py", "import clientctl.aws.state", "clientctl.render is not allowed to import clientctl.aws"),
        (
            "aws/state.py",
            "import clientctl.terraform.binary",
            "clientctl.aws is not allowed to import clientctl.terraform",
        ),
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path: Path, module: str, planted: str, message: str) -> None:
    shutil.copytree(
        REPO / "src" / "clientctl", tmp_path / "src" / "clientctl", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "clientctl" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{planted}  # planted\n", encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode == 1 and message in result.stdout, result.stdout + result.stderr
