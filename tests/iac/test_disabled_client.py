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

import pytest

from clientctl.layers import LAYERS
from tests.helpers import Runner
from tests.iac.layer_scope import ALLOWED, LAYER_DIR, REPO, evaluate_layer, planned_addresses


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
    planned = [a for a in planned_addresses(evaluate_layer(disabled_repo, layer, "globex")) if a not in ALLOWED]
    assert planned == [], f"{layer} plans for a disabled client: {planned}"


@pytest.mark.parametrize("layer", [layer.name for layer in LAYERS])
def test_enabled_client_plans_resources(disabled_repo: Path, layer: str) -> None:
    planned = planned_addresses(evaluate_layer(disabled_repo, layer, "acme-corp"))
    assert len([a for a in planned if a not in ALLOWED and "unknown" not in a]) > 0, planned
