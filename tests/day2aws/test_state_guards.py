"""Issue 13.3/13.4: changes the recorded state cannot take are refused before `apply` runs anything (and warned
about by `plan`): a vpc_cidr that differs from the client's VPC, a Kubernetes jump past one minor version.
State is put into the sandbox's bucket as Terraform's S3 backend writes it; `cidr move` makes a move deliberate."""

from __future__ import annotations

import json
from typing import Any

import yaml

from clientctl.orchestrator.graph import Node
from clientctl.orchestrator.preflight import check_state
from clientctl.rules import load_registry
from tests.day2aws.conftest import BUCKET, Aws, key, make_backend, state_json


def put_outputs(aws: Aws, client: str, layer: str, **outputs: str) -> None:
    state = json.loads(state_json(client, 3))
    state["outputs"] = {name: {"value": value, "type": "string"} for name, value in outputs.items()}
    aws.raw().put_object(Bucket=BUCKET, Key=key(client, layer), Body=json.dumps(state).encode())


def findings(aws: Aws, action: str, *nodes: tuple[str, str]) -> list[Any]:
    registry = load_registry(aws.repo)
    target = aws.target()
    found = check_state(registry, [Node(*n) for n in nodes], lambda r: target.client("s3", region=r), action=action)
    return [(f.rule, f.level) for f in found]


def test_a_vpc_cidr_change_of_an_applied_client_is_refused_then_moved_deliberately(aws: Aws) -> None:
    make_backend(aws)
    put_outputs(aws, "acme-corp", "01-foundation", vpc_cidr="10.100.0.0/16")
    assert findings(aws, "apply", ("acme-corp", "01-foundation")) == []  # registry and state agree

    code, out = aws.cli("client", "set", "acme-corp", "network.vpc_cidr=10.110.0.0/16", "network.cidr_offset=110")
    assert code == 0, out
    code, out = aws.cli("apply", "acme-corp", "--layer", "01", "--auto-approve")
    assert code == 2, out
    assert "state.vpc-cidr-change" in out and "10.100.0.0/16" in out and "clientctl cidr move acme-corp" in out
    assert not (aws.repo / ".clientctl" / "runs").exists()  # nothing ran
    assert findings(aws, "plan", ("acme-corp", "01-foundation")) == [("state.vpc-cidr-change", "warning")]

    # Back, then the deliberate procedure: the VPC's block is recorded, apply may replace it (with a warning).
    assert aws.cli("client", "set", "acme-corp", "network.vpc_cidr=10.100.0.0/16", "network.cidr_offset=100")[0] == 0
    code, out = aws.cli("cidr", "move", "acme-corp", "10.110.0.0/16")
    assert code == 0, out
    assert "clientctl apply acme-corp" in out
    client = yaml.safe_load((aws.repo / "clients" / "acme-corp.yaml").read_text())
    assert client["network"]["vpc_cidr"] == "10.110.0.0/16"
    assert client["network"]["replaces_vpc_cidr"] == "10.100.0.0/16"
    assert findings(aws, "apply", ("acme-corp", "01-foundation")) == [("state.vpc-cidr-change", "warning")]
    # Once applied (the state has the new block), the record is reported as no longer needed.
    put_outputs(aws, "acme-corp", "01-foundation", vpc_cidr="10.110.0.0/16")
    assert findings(aws, "apply", ("acme-corp", "01-foundation")) == [("state.vpc-cidr-change", "warning")]


def test_a_client_without_state_may_change_its_cidr(aws: Aws) -> None:
    make_backend(aws)
    code, out = aws.cli("client", "set", "globex", "network.vpc_cidr=10.120.0.0/16", "network.cidr_offset=120")
    assert code == 0, out
    assert findings(aws, "apply", ("globex", "01-foundation")) == []


def test_kubernetes_more_than_one_minor_above_the_cluster_is_refused(aws: Aws) -> None:
    make_backend(aws)  # platform.yaml: versions.kubernetes 1.35
    put_outputs(aws, "acme-corp", "02-platform", cluster_version="1.33")
    put_outputs(aws, "globex", "02-platform", cluster_version="1.34")
    put_outputs(aws, "initech", "02-platform", cluster_version="1.36")
    assert findings(aws, "apply", ("acme-corp", "02-platform"), ("globex", "02-platform")) == [
        ("state.kubernetes-step", "error")
    ]
    assert findings(aws, "apply", ("initech", "02-platform")) == [("state.kubernetes-step", "error")]  # a downgrade
    assert findings(aws, "drift", ("acme-corp", "02-platform")) == [("state.kubernetes-step", "warning")]
    code, out = aws.cli("apply", "acme-corp", "--layer", "platform", "--auto-approve")
    assert code == 2, out
    assert "Kubernetes 1.33" in out and "step through 1.34" in out
