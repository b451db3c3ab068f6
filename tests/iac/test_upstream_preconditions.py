"""Layers 05/06 stop with "apply 02-platform for <client> first" when layer 02's state has no cluster.

The postcondition of each ``terraform_remote_state`` is evaluated with ``self.outputs`` of an unapplied
upstream state (``{}``), of a partial one and of a complete one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clientctl.iac import hclast as h
from clientctl.iac.config import TfModule, load_module
from clientctl.iac.evaluate import NOT_FOUND, Evaluator, get

LAYERS = Path(__file__).resolve().parents[2] / "providers/aws/regions/us-east-2/layers"
PLATFORM = {
    "cluster_name": "acme-corp-production-us-east-2",
    "cluster_endpoint": "https://x.eks.amazonaws.com",
    "cluster_certificate_authority_data": "Cg==",
    "oidc_provider_arn": "arn:aws:iam::1:oidc-provider/x",
    "oidc_issuer_url": "https://x",
    "default_storage_class_name": "gp3",
}


def _postcondition(layer: str, name: str) -> tuple[h.Expr, h.Expr]:
    module = load_module(LAYERS / layer / "production", {})
    assert isinstance(module, TfModule)
    for _f, block in module.resources("data"):
        if block.labels == ("terraform_remote_state", name):
            for lc in block.body.blocks_of("lifecycle"):
                for post in lc.body.blocks_of("postcondition"):
                    return post.body.attributes["condition"].expr, post.body.attributes["error_message"].expr
    raise AssertionError(f"{layer}: data.terraform_remote_state.{name} has no postcondition")


def _eval(expr: h.Expr, outputs: dict[str, Any]) -> Any:
    def resolve(root: str, steps: list[str | h.Expr]) -> Any:
        value: Any
        if root == "self":
            value = {"outputs": outputs}
        elif root == "terraform":
            value = {"workspace": "acme-corp"}
        else:
            return NOT_FOUND
        for s in ev.steps(steps):
            value = get(value, s)
        return value

    ev = Evaluator(resolve)
    return ev.eval(expr)


@pytest.mark.parametrize(
    ("layer", "partial"),
    [
        ("05-cluster-services", {"cluster_name": "x"}),
        # a layer 02 state from before the default StorageClass
        ("06-observability", {k: v for k, v in PLATFORM.items() if k != "default_storage_class_name"}),
    ],
)
def test_platform_state_must_hold_the_cluster(layer: str, partial: dict[str, Any]) -> None:
    condition, message = _postcondition(layer, "platform")
    assert _eval(condition, {}) is False
    assert _eval(condition, partial) is False
    assert _eval(condition, PLATFORM) is True
    assert "apply 02-platform for acme-corp first" in _eval(message, {})


def test_foundation_state_must_hold_the_vpc() -> None:
    condition, message = _postcondition("05-cluster-services", "foundation")
    assert _eval(condition, {}) is False and _eval(condition, {"vpc_id": "vpc-1"}) is True
    assert "apply 01-foundation" in _eval(message, {})


def test_cluster_services_state_must_hold_the_smtp_sender() -> None:
    """Layer 06 needs layer 05's SES SMTP user name and secret (a layer 05 state from before the SES sender has none)."""
    condition, message = _postcondition("06-observability", "cluster_services")
    sender = {"smtp_username": "AKIAIOSFODNN7EXAMPLE", "secret_name": "p/e/acme-corp/alertmanager-smtp"}
    assert _eval(condition, {}) is False
    assert _eval(condition, {"dns_zone_id": "Z1"}) is False
    assert _eval(condition, {"alertmanager_smtp": None}) is False
    assert _eval(condition, {"alertmanager_smtp": {"smtp_username": "AKIA"}}) is False
    assert _eval(condition, {"alertmanager_smtp": sender}) is True
    assert "apply 05-cluster-services for acme-corp first" in _eval(message, {})
