"""GitHub Actions: one workflow; plan jobs on pull requests, apply jobs (behind a GitHub environment, the
approval gate) on pushes to the default branch, both by workflow_dispatch too; a final report job."""

from __future__ import annotations

from typing import Any

from clientctl.pipelines.common import (
    INSTALL_CLIENTCTL,
    INSTALL_TERRAFORM,
    MERGED_REPORT,
    RUNS_DIR,
    Options,
    Pipeline,
    clientctl_line,
    merge_script,
    wants_matrix,
)
from clientctl.pipelines.graph import Job, chunks, layer_groups, lock_name, safe_id

#: GitHub's limit of jobs per matrix.
MATRIX_LIMIT = 256
ACTIONS = {
    "checkout": "actions/checkout@v4",
    "setup-python": "actions/setup-python@v5",
    "credentials": "aws-actions/configure-aws-credentials@v4",
    "upload": "actions/upload-artifact@v4",
    "download": "actions/download-artifact@v4",
}
ARTIFACT_PREFIX = "clientctl-run"
ROLE = "${{ vars.CLIENTCTL_ROLE_ARN }}"


def conditions(options: Options) -> dict[str, str]:
    dispatch = "github.event_name == 'workflow_dispatch' && inputs.action == '{}'"
    branch = f"github.ref == 'refs/heads/{options.default_branch}'"
    return {
        "plan": f"github.event_name == 'pull_request' || ({dispatch.format('plan')})",
        "apply": f"{branch} && (github.event_name == 'push' || ({dispatch.format('apply')}))",
    }


def _steps(action: str, client: str, layer: str, region: str, artifact: str, options: Options) -> list[Any]:
    install = [*INSTALL_CLIENTCTL, INSTALL_TERRAFORM, 'echo "$PWD/.venv/bin" >> "$GITHUB_PATH"']
    return [
        {"uses": ACTIONS["checkout"]},
        {"uses": ACTIONS["setup-python"], "with": {"python-version": options.python_version}},
        {"name": "Install clientctl and Terraform", "run": "\n".join(install) + "\n"},
        {
            "name": "AWS credentials (OIDC)",
            "uses": ACTIONS["credentials"],
            "with": {"role-to-assume": ROLE, "aws-region": region},
        },
        {"name": f"clientctl {action}", "run": clientctl_line(action, client, layer)},
        {
            "name": "Keep the run report, logs and plan",
            "if": "always()",
            "uses": ACTIONS["upload"],
            "with": {
                "name": artifact,
                "path": RUNS_DIR,
                "include-hidden-files": True,
                "if-no-files-found": "warn",
            },
        },
    ]


def _job(
    action: str, name: str, needs: list[str], lock: str, steps: list[Any], options: Options, **extra: Any
) -> dict[str, Any]:
    job: dict[str, Any] = {"name": name, "if": conditions(options)[action]}
    if needs:
        job["needs"] = needs
    job |= extra
    job["runs-on"] = "ubuntu-latest"
    if action == "apply":
        job["environment"] = options.environment
    job["concurrency"] = {"group": lock, "cancel-in-progress": False}
    job["steps"] = steps
    return job


def _per_node(jobs: list[Job], options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for action in ("plan", "apply"):
        for job in jobs:
            client, layer = job.client, job.layer
            steps = _steps(
                action,
                client,
                layer,
                options.region(client),
                f"{ARTIFACT_PREFIX}-{action}-{client}-{layer}",
                options,
            )
            out[safe_id(action, client, layer)] = _job(
                action,
                f"{action} {client}/{layer}",
                [safe_id(action, dep.client, dep.layer) for dep in job.upstream],
                lock_name(client, layer),
                steps,
                options,
            )
    return out


def _matrix(jobs: list[Job], options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    groups = layer_groups(jobs)
    shards = {group.layer: list(chunks(group.clients, MATRIX_LIMIT)) for group in groups}
    for action in ("plan", "apply"):
        for group in groups:
            needs = [safe_id(action, up, str(n)) for up in group.upstream for n in range(1, len(shards[up]) + 1)]
            for n, shard in enumerate(shards[group.layer], start=1):
                strategy: dict[str, Any] = {"fail-fast": False}
                if options.max_parallel:
                    strategy["max-parallel"] = options.max_parallel
                strategy["matrix"] = {
                    "include": [{"client": client, "region": options.region(client)} for client in shard]
                }
                steps = _steps(
                    action,
                    "$CLIENT",
                    group.layer,
                    "${{ matrix.region }}",
                    f"{ARTIFACT_PREFIX}-{action}-${{{{ matrix.client }}}}-{group.layer}",
                    options,
                )
                out[safe_id(action, group.layer, str(n))] = _job(
                    action,
                    f"{action} {group.layer} ({n}/{len(shards[group.layer])}) ${{{{ matrix.client }}}}",
                    needs,
                    lock_name("${{ matrix.client }}", group.layer),
                    steps,
                    options,
                    strategy=strategy,
                    env={"CLIENT": "${{ matrix.client }}"},
                )
    return out


def build(jobs: list[Job], options: Options) -> Pipeline:
    matrix = wants_matrix(options, 2 * len(jobs) + 1)
    node_jobs = _matrix(jobs, options) if matrix else _per_node(jobs, options)
    report = {
        "name": "report",
        "if": "always()",
        "needs": list(node_jobs),
        "runs-on": "ubuntu-latest",
        "steps": [
            {"uses": ACTIONS["checkout"]},
            {"uses": ACTIONS["setup-python"], "with": {"python-version": options.python_version}},
            {
                "name": "Install clientctl",
                "run": "\n".join([*INSTALL_CLIENTCTL, 'echo "$PWD/.venv/bin" >> "$GITHUB_PATH"']) + "\n",
            },
            {"uses": ACTIONS["download"], "with": {"pattern": f"{ARTIFACT_PREFIX}-*", "path": "reports"}},
            {"name": "clientctl report merge", "run": merge_script("reports")},
            {
                "uses": ACTIONS["upload"],
                "with": {"name": "clientctl-report", "path": MERGED_REPORT, "if-no-files-found": "ignore"},
            },
        ],
    }
    document: dict[str, Any] = {
        "name": "clientctl",
        "on": {
            "pull_request": {},
            "push": {"branches": [options.default_branch]},
            "workflow_dispatch": {
                "inputs": {
                    "action": {
                        "description": "plan, or apply (default branch only; behind the environment's approval)",
                        "type": "choice",
                        "options": ["plan", "apply"],
                        "default": "plan",
                    }
                }
            },
        },
        "permissions": {"id-token": "write", "contents": "read"},
        "jobs": {**node_jobs, "report": report},
    }
    return Pipeline("github-actions", document, len(document["jobs"]), matrix)
