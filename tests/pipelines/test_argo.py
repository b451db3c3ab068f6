"""The Argo Workflow: exact tasks and dependencies, the approval per client, a mutex per Terraform state;
hera's models load it and refuse a planted wrong type; our DAG check finds a planted missing dependency."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hera.workflows.models import Workflow
from pydantic import ValidationError

from clientctl.pipelines import generate
from tests.pipelines.checks import argo_dag_errors, nodes, options

CLIENTS = ["acme-corp", "globex"]
LAYERS = ["01-foundation", "02-platform", "03-database", "06-observability"]


def workflow(**kwargs: Any) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(generate("argo", nodes(CLIENTS, LAYERS), options(CLIENTS, **kwargs)))
    return doc


def tasks(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [main] = [t for t in doc["spec"]["templates"] if t["name"] == doc["spec"]["entrypoint"]]
    return {task["name"]: task for task in main["dag"]["tasks"]}


def test_loads_in_heras_models() -> None:
    doc = workflow(service_account="ops-irsa", max_parallel=3)
    model = Workflow.model_validate(doc)
    assert model.api_version == "argoproj.io/v1alpha1" and model.kind == "Workflow"
    assert model.spec.service_account_name == "ops-irsa"
    assert model.spec.parallelism == 3
    templates = {t.name: t for t in model.spec.templates or []}
    assert templates["approve"].suspend is not None
    container = templates["clientctl"]
    assert container.inputs is not None
    assert [p.name for p in container.inputs.parameters or []] == ["client", "layer", "action", "region"]
    assert container.synchronization is not None and container.synchronization.mutexes is not None
    assert argo_dag_errors(doc) == []


def test_exact_tasks_dependencies_and_approvals() -> None:
    found = tasks(workflow())
    ups: dict[str, list[str]] = {
        "01-foundation": [],
        "02-platform": ["01-foundation"],
        "03-database": ["01-foundation"],
    }
    ups["06-observability"] = ["02-platform"]
    expected: dict[str, list[str]] = {f"approve--{c}": [] for c in CLIENTS} | {
        f"{c}--{layer}": [f"{c}--{u}" for u in up] or [f"approve--{c}"] for layer, up in ups.items() for c in CLIENTS
    }
    assert {name: task.get("dependencies", []) for name, task in found.items()} == expected
    for client in CLIENTS:
        approval = found[f"approve--{client}"]
        assert approval["template"] == "approve"
        assert approval["when"] == "'{{workflow.parameters.action}}' == 'apply'"


def test_one_mutex_per_state() -> None:
    doc = workflow()
    [container] = [t for t in doc["spec"]["templates"] if t["name"] == "clientctl"]
    [mutex] = container["synchronization"]["mutexes"]
    names: list[str] = []
    for task in tasks(doc).values():
        if task["template"] != "clientctl":
            continue
        params: dict[str, str] = {p["name"]: p["value"] for p in task["arguments"]["parameters"]}

        def value(m: re.Match[str], params: dict[str, str] = params) -> str:
            return params[m.group(1)]

        names.append(re.sub(r"\{\{inputs\.parameters\.(\w+)\}\}", value, mutex["name"]))
        assert params["action"] == "{{workflow.parameters.action}}"
    assert sorted(names) == sorted(f"clientctl-{c}-{lay}" for c in CLIENTS for lay in LAYERS)


def test_the_container_runs_clientctl_with_the_parameters() -> None:
    doc = workflow(image="registry.example/clientctl:1")
    [container] = [t for t in doc["spec"]["templates"] if t["name"] == "clientctl"]
    script = container["container"]["args"][0]
    assert container["container"]["image"] == "registry.example/clientctl:1"
    assert 'clientctl apply "$CLIENT" --layer "$LAYER" --auto-approve' in script
    assert 'clientctl -o json plan "$CLIENT" --layer "$LAYER"' in script
    env = {e["name"]: e["value"] for e in container["container"]["env"]}
    assert env["ACTION"] == "{{inputs.parameters.action}}" and env["CLIENT"] == "{{inputs.parameters.client}}"


def test_planted_faults() -> None:
    doc = workflow()
    found = tasks(doc)
    found["globex--02-platform"]["dependencies"] = ["globex--01-foundatoin"]
    found["acme-corp--03-database"]["template"] = "clientctll"
    Workflow.model_validate(doc)  # the models do not see it
    assert sorted(argo_dag_errors(doc)) == [
        "acme-corp--03-database: template 'clientctll' does not exist",
        "globex--02-platform: depends on 'globex--01-foundatoin', which is no task",
    ]
    doc = workflow()
    doc["spec"]["parallelism"] = "a lot"
    with pytest.raises(ValidationError, match="parallelism"):
        Workflow.model_validate(doc)
    doc = workflow()
    tasks(doc)["globex--02-platform"]["dependencies"] = "globex--01-foundation"
    with pytest.raises(ValidationError, match="dependencies"):
        Workflow.model_validate(doc)
