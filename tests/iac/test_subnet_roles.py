"""Layer 01: exactly one subnet tier per AZ is a candidate for internal load balancers (the private subnets), and
the public subnets for internet-facing ones (AWS Load Balancer Controller subnet discovery by tag)."""

from __future__ import annotations

from typing import Any

from clientctl.iac.isolation import _instances
from tests.iac.layer_scope import REPO, evaluate_layer

INTERNAL = "kubernetes.io/role/internal-elb"


def _tags(tier: str) -> Any:
    """The tags of the first AZ's subnet of *tier* (every AZ shares the body)."""
    vpc = evaluate_layer(REPO, "01-foundation", "acme-corp").child("vpc")
    assert vpc is not None
    found = vpc.block_by_address(f"aws_subnet.{tier}")
    assert found is not None
    insts = _instances(vpc, *found)
    assert isinstance(insts, list) and insts
    return vpc.evaluator(insts[0].each).eval(found[1].body.attributes["tags"].expr)


def test_only_private_subnets_take_internal_load_balancers() -> None:
    assert _tags("private")[INTERNAL] == "1"
    assert INTERNAL not in _tags("eks")
    assert INTERNAL not in _tags("public") and _tags("public")["kubernetes.io/role/elb"] == "1"
