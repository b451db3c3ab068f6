"""Static evaluation of one layer root for one client workspace, shared by the tests under tests/iac/ (the
evaluator of ``clientctl iac isolation``, with the rendered inputs converted through the layer's declared
variable types exactly as Terraform converts them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clientctl.iac import wiring
from clientctl.iac.config import TfModule, load_module
from clientctl.iac.evaluate import EvalError, Ref, Unknown
from clientctl.iac.isolation import Scope, _instances

REPO = Path(__file__).resolve().parents[2]
LAYER_DIR = "providers/aws/regions/us-east-2/layers/{}/production"
ALLOWED = {"terraform_data.workspace_guard"}


def planned_addresses(scope: Scope, prefix: str = "") -> list[str]:
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
            found += planned_addresses(child, f"{prefix}module.{name}.")
    return found


def evaluate_layer(root: Path, layer: str, workspace: str) -> Scope:
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
