"""The GitLab CI definition: exact jobs and needs, stages in layer order, resource groups, rules, manual
applies behind environments, ID tokens, artifacts, the matrix form; GitLab's schema accepts it and refuses
the faults planted in it."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from clientctl.pipelines import build, generate
from tests.pipelines.checks import gitlab_errors, gitlab_graph_errors, gitlab_jobs, nodes, options

CLIENTS = ["acme-corp", "globex"]
LAYERS = ["01-foundation", "02-platform", "03-database", "06-observability"]


def definition(**kwargs: Any) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(generate("gitlab-ci", nodes(CLIENTS, LAYERS), options(CLIENTS, **kwargs)))
    return doc


def test_exact_jobs_needs_and_stages() -> None:
    doc = definition()
    jobs = gitlab_jobs(doc)
    ups = {"01-foundation": [], "02-platform": ["01-foundation"], "03-database": ["01-foundation"]}
    ups["06-observability"] = ["02-platform"]
    expected = {
        f"{a}:{c}:{layer}": [f"{a}:{c}:{u}" for u in up]
        for a in ("plan", "apply")
        for layer, up in ups.items()
        for c in CLIENTS
    }
    assert set(jobs) == {*expected, "report"}
    assert {name: jobs[name]["needs"] for name in expected} == expected
    assert doc["stages"] == [f"{a}-{layer}" for a in ("plan", "apply") for layer in LAYERS] + ["report"]
    assert gitlab_graph_errors(doc) == []
    assert "needs" not in jobs["report"]  # last stage: waits for all, gets every artifact
    assert any("clientctl report merge" in line for line in jobs["report"]["script"])


def test_rules_locks_environments_tokens_artifacts() -> None:
    doc = definition(environment="prod")
    assert {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'} in doc["workflow"]["rules"]
    assert doc["variables"]["AWS_ROLE_ARN"] == "$CLIENTCTL_ROLE_ARN"
    jobs = {k: v for k, v in gitlab_jobs(doc).items() if k != "report"}
    groups = [job["resource_group"] for job in jobs.values()]
    assert sorted(set(groups)) == sorted(f"clientctl-{c}-{lay}" for c in CLIENTS for lay in LAYERS)
    assert all(groups.count(g) == 2 for g in groups)  # plan and apply of one node, nothing else
    for name, job in jobs.items():
        action, client, layer = name.split(":")
        if action == "plan":
            assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
            assert "environment" not in job
            assert f"clientctl -o json plan {client} --layer {layer}" in job["script"]
        else:
            assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": "manual"}]
            assert job["environment"] == {"name": f"prod/{client}"}
            assert f"clientctl apply {client} --layer {layer} --auto-approve" in job["script"]
        assert job["id_tokens"] == {"AWS_ID_TOKEN": {"aud": "sts.amazonaws.com"}}
        assert job["artifacts"] == {"paths": [".clientctl/runs/"], "when": "always"}


@pytest.mark.parametrize("matrix", [False, True], ids=["per-job", "matrix"])
def test_schema_accepts_it(matrix: bool) -> None:
    doc = yaml.safe_load(generate("gitlab-ci", nodes(CLIENTS), options(CLIENTS, matrix=matrix)))
    assert gitlab_errors(doc) == []
    assert gitlab_graph_errors(doc) == []


def test_schema_and_graph_checks_refuse_planted_faults() -> None:
    doc = definition()
    doc["apply:globex:02-platform"]["rules"][0]["when"] = "sometimes"
    doc["plan:acme-corp:01-foundation"]["resource_groop"] = "x"
    doc["plan:acme-corp:03-database"]["artifacts"]["when"] = "never"
    errors = gitlab_errors(doc)
    assert any(e.startswith("apply:globex:02-platform") for e in errors), errors
    assert any("resource_groop" in e for e in errors), errors
    assert any(e.startswith("plan:acme-corp:03-database/artifacts/when") for e in errors), errors
    # a needs naming no job and a needs on a later stage pass the schema; our graph check catches both
    doc = definition()
    doc["plan:globex:02-platform"]["needs"] = ["plan:globex:01-foundatoin"]
    doc["plan:globex:03-database"]["needs"] = ["plan:globex:06-observability"]
    assert gitlab_errors(doc) == []
    assert gitlab_graph_errors(doc) == [
        "plan:globex:02-platform: needs 'plan:globex:01-foundatoin', which is no job",
        "plan:globex:03-database: needs 'plan:globex:06-observability' of stage plan-06-observability, "
        "not earlier than plan-03-database",
    ]


def test_matrix_form_is_sharded_at_200() -> None:
    clients = [f"c{i:04d}" for i in range(450)]
    pipeline = build("gitlab-ci", nodes(clients, LAYERS[:2]), options(clients))
    assert pipeline.matrix
    jobs = gitlab_jobs(pipeline.document)
    assert [len(jobs[f"plan:01-foundation:{n}"]["parallel"]["matrix"]) for n in (1, 2, 3)] == [200, 200, 50]
    assert jobs["apply:02-platform:3"]["needs"] == [f"apply:01-foundation:{n}" for n in (1, 2, 3)]
    assert jobs["apply:02-platform:3"]["resource_group"] == "clientctl-$CLIENT-02-platform"
    assert jobs["apply:02-platform:3"]["environment"] == {"name": "production/$CLIENT"}
    assert 'clientctl apply "$CLIENT" --layer 02-platform --auto-approve' in jobs["apply:02-platform:3"]["script"]
    assert gitlab_errors(pipeline.document) == []
    assert gitlab_graph_errors(pipeline.document) == []
