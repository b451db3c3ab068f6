"""docs/adding-a-layer.md works: following its steps adds a 7th layer that renders and passes `terraform validate`.

The test takes the doc literally: every fenced block whose info string names a file (```` ```hcl <path> ````) is
written into a copy of the repository, the block for ``src/clientctl/layers.py`` is appended to ``LAYERS`` in the
copy's own source, and the copy's clientctl (a subprocess with ``PYTHONPATH`` on the copy's ``src``, so every module
sees the new layer as it would after the edit) runs ``clientctl render``. Then the real Terraform validates the new
root with the provider stand-ins (clientctl.iac.tf_validate), and once more without the generated ``layer.tf``: a
planted fault that must fail, so a doc that left out the prologue (or any file validate needs) cannot pass.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clientctl.iac import tf_validate
from clientctl.render.render import BACKEND_FILE, PROLOGUE_FILE, TFVARS_FILE
from clientctl.terraform import binary

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "adding-a-layer.md"
LAYER = "07-example"
ROOT = Path("providers/aws/regions/us-east-2/layers") / LAYER / "production"
LAYERS_PY = "src/clientctl/layers.py"
#: A fenced block naming a file: ```<lang> <path>\n<content>```
BLOCK = re.compile(r"^```(?P<lang>\w+) (?P<path>\S+)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
COPIED_TREES = ("clients", "modules", "providers", "src")
COPIED_FILES = ("platform.yaml", "cidr-registry.yaml")

pytestmark = pytest.mark.skipif(binary.find() is None, reason="no terraform binary")


def doc_files() -> dict[str, str]:
    files = {m["path"]: m["body"] for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}
    assert LAYERS_PY in files and any(p.startswith(str(ROOT)) for p in files), f"{DOC}: no file blocks found"
    return files


def follow_the_doc(repo: Path) -> None:
    """Step 1 and 2 of the doc in ``repo``: the layers.py entry, then every file it lists."""
    for rel, body in doc_files().items():
        path = repo / rel
        if rel == LAYERS_PY:
            text = path.read_text(encoding="utf-8")
            start = text.index("LAYERS: tuple[Layer, ...] = (\n")
            end = text.index("\n)\n", start)  # the closing parenthesis of LAYERS
            entry = f"\n    {body.strip()},"  # "followed by a comma, at the end of the tuple"
            path.write_text(text[:end] + entry + text[end:], encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")


def clientctl(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The copy's own clientctl (its edited layers.py), not the one this test process imported."""
    env = {**os.environ, "PYTHONPATH": str(repo / "src")}
    return subprocess.run(
        [sys.executable, "-m", "clientctl", "--root", str(repo), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """What render and terraform validate need: the registry, the Python source, modules and layer roots."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in COPIED_FILES:
        shutil.copy(REPO / name, root / name)
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "__pycache__", ".clientctl")
    for name in COPIED_TREES:
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    return root


def errors(repo: Path) -> list[str]:
    terraform = binary.find()
    assert terraform is not None
    found = tf_validate.validate(repo, terraform, selected=[tf_validate.Target(ROOT, "layer")], workers=1)
    return [f"{f.file}:{f.line}: {f.message}" for f in found if f.level == "error"]


def test_the_doc_adds_a_seventh_layer_that_validates(repo: Path) -> None:
    follow_the_doc(repo)
    rendered = clientctl(repo, "render")
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    for name in (PROLOGUE_FILE, TFVARS_FILE, BACKEND_FILE):
        assert f"{ROOT / name}" in rendered.stdout, f"render did not write {name}:\n{rendered.stdout}"
    # Only the new root is new: the six existing layers' generated files are unchanged.
    assert rendered.stdout.count("wrote ") == 3, rendered.stdout
    prologue = (repo / ROOT / PROLOGUE_FILE).read_text(encoding="utf-8")
    assert 'data "terraform_remote_state" "platform"' in prologue
    assert 'config    = var.settings.remote_state["02-platform"]' in prologue
    assert "count = local.enabled ? 1 : 0" in prologue
    assert clientctl(repo, "render", "--check").returncode == 0
    # The root has the files every root has (validate alone would not miss versions.tf or providers.tf).
    existing = repo / ROOT.parent.parent / "04-standalone-compute" / "production"
    assert sorted(p.name for p in (repo / ROOT).glob("*.tf")) == sorted(p.name for p in existing.glob("*.tf"))
    assert clientctl(repo, "graph", "--layers", "--format", "dot").stdout.count(LAYER) >= 2  # node and edge

    assert errors(repo) == []

    # Planted fault: without the generated prologue the layer's own files do not validate.
    (repo / ROOT / PROLOGUE_FILE).unlink()
    missing = errors(repo)
    assert missing, (
        "terraform validate passed without layer.tf: the test cannot tell a complete doc from an incomplete one"
    )
    assert any("client_known" in e or "module.tags" in e or "terraform_remote_state" in e for e in missing), missing
