"""In a workspace that is not a client, the workspace guard is the first and only error of every layer.

Everything else must be switched off: no module or data source planned (counted like a disabled client), and the
tagging module's variable validations (evaluated with the arguments the layer passes) must hold, since Terraform
checks them before any resource precondition.
"""

from __future__ import annotations

import pytest

from clientctl.layers import LAYERS
from tests.iac.layer_scope import ALLOWED, REPO, evaluate_layer, planned_addresses


@pytest.mark.parametrize("layer", [layer.name for layer in LAYERS])
def test_unknown_workspace_fails_only_at_the_guard(layer: str) -> None:
    scope = evaluate_layer(REPO, layer, "default")
    assert [a for a in planned_addresses(scope) if a not in ALLOWED] == []
    tags = scope.child("tags")
    assert tags is not None
    failing = []
    for name, (_f, block) in tags.module.variables.items():
        for validation in block.body.blocks_of("validation"):
            result = tags.evaluator().eval(validation.body.attributes["condition"].expr)
            if result is not True:
                failing.append(f"var.{name}: {result}")
    assert failing == [], f"{layer}: modules/tagging validations fail before the workspace guard: {failing}"
