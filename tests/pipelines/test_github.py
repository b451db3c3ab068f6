"""The GitHub Actions workflow: exact jobs and needs, locks, approvals, credentials, artifacts, the matrix
form; actionlint finds nothing in it and does find the faults planted in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from clientctl.pipelines import build, generate
from tests.pipelines.checks import actionlint, nodes, options

CLIENTS = ["acme-corp", "globex"]
LAYERS = ["01-foundation", "02-platform", "03-database", "06-observability"]


def workflow(**kwargs: Any) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(generate("github-actions", nodes(CLIENTS, LAYERS), options(CLIENTS, **kwargs)))
    return doc


def test_exact_jobs_and_needs() -> None:
    jobs = workflow()["jobs"]
    expected_needs = {
        "01-foundation": [],
        "02-platform": ["01-foundation"],
        "03-database": ["01-foundation"],
        "06-observability": ["02-platform"],  # through the unselected 05-cluster-services
    }
    expected = {
        f"{action}--{client}--{layer}": [f"{action}--{client}--{up}" for up in ups]
        for action in ("plan", "apply")
        for layer, ups in expected_needs.items()
        for client in CLIENTS
    }
    assert set(jobs) == {*expected, "report"}
    assert {name: jobs[name].get("needs", []) for name in expected} == expected
    assert jobs["report"]["needs"] == list(expected)
    assert jobs["report"]["if"] == "always()"


def test_locks_approvals_credentials_artifacts() -> None:
    doc = workflow(environment="prod-gate")
    assert doc["permissions"] == {"id-token": "write", "contents": "read"}
    assert set(doc["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert doc["on"]["push"] == {"branches": ["main"]}
    jobs = {k: v for k, v in doc["jobs"].items() if k != "report"}
    groups = [job["concurrency"]["group"] for job in jobs.values()]
    # plan and apply of one node share its lock; no two nodes share one
    assert sorted(set(groups)) == sorted(f"clientctl-{c}-{lay}" for c in CLIENTS for lay in LAYERS)
    assert all(groups.count(g) == 2 for g in groups)
    assert all(job["concurrency"]["cancel-in-progress"] is False for job in jobs.values())
    artifacts = []
    for name, job in jobs.items():
        action, client, layer = name.split("--")
        assert ("environment" in job) == (action == "apply")
        assert job.get("environment", "prod-gate") == "prod-gate"
        assert "pull_request" in job["if"] if action == "plan" else "refs/heads/main" in job["if"]
        steps = job["steps"]
        creds = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials"))
        assert creds["with"] == {"role-to-assume": "${{ vars.CLIENTCTL_ROLE_ARN }}", "aws-region": "us-east-2"}
        runs = [s["run"] for s in steps if "run" in s]
        command = {
            "plan": f"clientctl -o json plan {client} --layer {layer}",
            "apply": f"clientctl apply {client} --layer {layer} --auto-approve",
        }[action]
        assert command in runs
        upload = steps[-1]
        assert upload["uses"].startswith("actions/upload-artifact@") and upload["if"] == "always()"
        assert upload["with"]["path"] == ".clientctl/runs/"
        artifacts.append(upload["with"]["name"])
    assert len(set(artifacts)) == len(artifacts)
    report_runs = [s.get("run", "") for s in doc["jobs"]["report"]["steps"]]
    assert any("clientctl report merge" in run for run in report_runs)


def test_matrix_form_is_sharded_at_256_with_needs_between_layers() -> None:
    clients = [f"c{i:04d}" for i in range(600)]
    pipeline = build("github-actions", nodes(clients, LAYERS[:2]), options(clients, max_parallel=16))
    assert pipeline.matrix  # 2 x 1,200 + 1 jobs would be above 256: automatic
    jobs = pipeline.document["jobs"]
    shards = [f"{a}--{layer}--{n}" for a in ("plan", "apply") for layer in LAYERS[:2] for n in (1, 2, 3)]
    assert list(jobs) == [*shards, "report"]
    entries = [
        e["client"] for n in (1, 2, 3) for e in jobs[f"plan--01-foundation--{n}"]["strategy"]["matrix"]["include"]
    ]
    assert entries == clients
    assert [len(jobs[f"plan--02-platform--{n}"]["strategy"]["matrix"]["include"]) for n in (1, 2, 3)] == [256, 256, 88]
    assert jobs["plan--02-platform--2"]["needs"] == [f"plan--01-foundation--{n}" for n in (1, 2, 3)]
    assert jobs["apply--02-platform--1"]["strategy"]["max-parallel"] == 16
    assert jobs["apply--02-platform--1"]["concurrency"]["group"] == "clientctl-${{ matrix.client }}-02-platform"
    assert pipeline.jobs == len(jobs)


def test_matrix_threshold_and_overrides() -> None:
    assert not build("github-actions", nodes(CLIENTS), options(CLIENTS)).matrix
    assert build("github-actions", nodes(CLIENTS), options(CLIENTS, max_jobs=10)).matrix
    assert build("github-actions", nodes(CLIENTS), options(CLIENTS, matrix=True)).matrix
    clients = [f"c{i}" for i in range(100)]
    assert not build("github-actions", nodes(clients), options(clients, matrix=False)).matrix


def test_output_is_deterministic() -> None:
    one = generate("github-actions", nodes(CLIENTS, LAYERS), options(CLIENTS))
    two = generate("github-actions", list(reversed(nodes(CLIENTS, LAYERS))), options(CLIENTS))
    assert one == two
    assert one.startswith("# generated by `clientctl pipeline github-actions`; do not edit.")


# --- actionlint ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("matrix", [False, True], ids=["per-job", "matrix"])
def test_actionlint_finds_nothing(tmp_path: Path, matrix: bool) -> None:
    text = generate("github-actions", nodes(CLIENTS), options(CLIENTS, matrix=matrix, max_parallel=4))
    assert actionlint(text, tmp_path) == []


def test_actionlint_reports_planted_faults(tmp_path: Path) -> None:
    doc = workflow()
    jobs = doc["jobs"]
    jobs["plan--globex--02-platform"]["needs"] = ["plan--globex--01-foundatoin"]
    jobs["apply--acme-corp--01-foundation"]["if"] = "${{ github.event_name == }}"
    jobs["plan--acme-corp--03-database"]["runs_on"] = "ubuntu-latest"
    jobs["plan--acme-corp--06-observability"]["steps"][3]["with"]["role-to-assume"] = "${{ varz.CLIENTCTL_ROLE_ARN }}"
    findings = actionlint(yaml.safe_dump(doc, sort_keys=False), tmp_path)
    text = "\n".join(findings)
    assert 'needs job "plan--globex--01-foundatoin" which does not exist' in text
    assert any("unexpected end of input" in f and f.endswith("[expression]") for f in findings), text
    assert 'unexpected key "runs_on"' in text
    assert 'undefined variable "varz"' in text  # the vars filter drops only `vars`
    assert len(findings) == 4, text  # the four planted faults, nothing else
