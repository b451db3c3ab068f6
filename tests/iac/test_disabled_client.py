"""A client with ``enabled: false`` plans nothing in any of the six layers.

Each layer root is evaluated statically for the client's workspace (the evaluator of ``clientctl iac
isolation``), with the rendered ``clients``/``settings`` converted through the layer's declared variable types
exactly as Terraform converts them (undeclared attributes are dropped: a layer that reads ``enabled`` without
declaring it sees no such attribute). Every resource, data source and ephemeral resource instance, through
module calls and their ``count``/``for_each``, is counted; only the workspace guard may remain. An enabled
client is counted too, so the counter is shown to see resources where they exist.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from clientctl.iac import wiring
from clientctl.iac.config import TfModule, load_module
from clientctl.iac.evaluate import EvalError, Ref, Unknown
from clientctl.iac.isolation import Scope, _instances
from clientctl.layers import LAYERS
from tests.helpers import Runner

REPO = Path(__file__).resolve().parents[2]
LAYER_DIR = "providers/aws/regions/us-east-2/layers/{}/production"
ALLOWED = {"terraform_data.workspace_guard"}


def _planned(scope: Scope, prefix: str = "") -> list[str]:
    """Addresses of every instance the scope would plan (unknown counts are listed as such)."""
    found: list[str] = []
    for kind in ("resource", "data", "ephemeral"):
        for f, block in scope.module.resources(kind):
            address = ("" if kind == "resource" else kind + ".") + ".".join(block.labels)
            insts = _instances(scope, f, block)
            if isinstance(insts, Unknown):
                found.append(f"{prefix}{address} (count unknown: {insts.reason})")
                continue
            found += [f"{prefix}{address}"] * len(insts)
    for name, (_f, call) in scope.module.module_calls.items():
        ev = scope.evaluator()
        n: Any = 1
        try:
            if "count" in call.body.attributes:
                n = ev.eval(call.body.attributes["count"].expr)
            elif "for_each" in call.body.attributes:
                coll = ev.eval(call.body.attributes["for_each"].expr)
                n = len(coll) if isinstance(coll, dict | list) else coll
        except EvalError as exc:
            n = Unknown(str(exc))
        if isinstance(n, Unknown | Ref):
            found.append(f"{prefix}module.{name} (count unknown: {n})")
            continue
        if int(n) == 0:
            continue
        child = scope.child(name)
        if child is not None:
            found += _planned(child, f"{prefix}module.{name}.")
    return found


def _scope(root: Path, layer: str, workspace: str) -> Scope:
    cache: dict[Path, TfModule] = {}
    module = load_module(root / LAYER_DIR.format(layer), cache)
    assert module is not None
    rendered = module.rendered()
    assert rendered is not None
    variables: dict[str, Any] = {}
    for name in ("clients", "settings"):
        _f, block = module.variables[name]
        variables[name] = wiring.convert(block.body.attributes["type"].expr, rendered[name])
    return Scope(module, variables, workspace, cache, None)


@pytest.fixture
def disabled_repo(repo: Path, cli: Runner) -> Path:
    """The shipped registry with globex disabled, rendered, next to the real modules and layer roots."""
    shutil.copytree(REPO / "modules", repo / "modules", ignore=shutil.ignore_patterns(".terraform", "tests"))
    for layer in LAYERS:
        for tf in (REPO / LAYER_DIR.format(layer.name)).glob("*.tf"):
            shutil.copy(tf, repo / LAYER_DIR.format(layer.name) / tf.name)
    client = repo / "clients/globex.yaml"
    text = client.read_text()
    assert "\nenabled: true\n" in text
    client.write_text(text.replace("\nenabled: true\n", "\nenabled: false\n"))
    result = cli("render", cwd=repo)
    assert result.code == 0, result.out + result.err
    return repo


@pytest.mark.parametrize("layer", [layer.name for layer in LAYERS])
def test_disabled_client_plans_nothing(disabled_repo: Path, layer: str) -> None:
    planned = [a for a in _planned(_scope(disabled_repo, layer, "globex")) if a not in ALLOWED]
    assert planned == [], f"{layer} plans for a disabled client: {planned}"


@pytest.mark.parametrize("layer", [layer.name for layer in LAYERS])
def test_enabled_client_plans_resources(disabled_repo: Path, layer: str) -> None:
    planned = _planned(_scope(disabled_repo, layer, "acme-corp"))
    assert len([a for a in planned if a not in ALLOWED and "unknown" not in a]) > 0, planned
