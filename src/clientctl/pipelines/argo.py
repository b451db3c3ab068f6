"""Argo Workflows: one Workflow whose DAG has a task per node (``dependencies`` following the layer graph),
one ``clientctl`` container template (client, layer, action), a suspend approval task per client before an
apply, and a mutex per Terraform state. Credentials: the service account's IAM role (IRSA / pod identity)."""

from __future__ import annotations

from typing import Any

from clientctl.pipelines.common import INSTALL_CLIENTCTL, INSTALL_TERRAFORM, Options, Pipeline
from clientctl.pipelines.graph import Job, lock_name, safe_id

WORKDIR = "/src"
APPLY = "'{{workflow.parameters.action}}' == 'apply'"

#: The container's script; client, layer and action come in as environment variables (never spliced into
#: the shell text). A plan prints its run report as JSON; an apply runs only after the client's approval.
SCRIPT = "\n".join(
    [
        "set -eu",
        *INSTALL_CLIENTCTL,
        INSTALL_TERRAFORM,
        'export PATH="$PWD/.venv/bin:$PATH"',
        'if [ "$ACTION" = apply ]; then',
        '  clientctl apply "$CLIENT" --layer "$LAYER" --auto-approve',
        "else",
        '  clientctl -o json plan "$CLIENT" --layer "$LAYER"',
        "fi",
        "",
    ]
)


def task_name(client: str, layer: str) -> str:
    return safe_id(client, layer).lower()


def approval_name(client: str) -> str:
    return safe_id("approve", client).lower()


def _container_template(options: Options) -> dict[str, Any]:
    params = ["client", "layer", "action", "region"]
    return {
        "name": "clientctl",
        "inputs": {
            "parameters": [{"name": name} for name in params],
            "artifacts": [
                {
                    "name": "source",
                    "path": WORKDIR,
                    "git": {"repo": "{{workflow.parameters.repo}}", "revision": "{{workflow.parameters.revision}}"},
                }
            ],
        },
        # One run at a time per Terraform state, across every workflow of the namespace.
        "synchronization": {
            "mutexes": [{"name": lock_name("{{inputs.parameters.client}}", "{{inputs.parameters.layer}}")}]
        },
        "container": {
            "image": options.image,
            "workingDir": WORKDIR,
            "command": ["sh", "-c"],
            "args": [SCRIPT],
            "env": [
                {"name": "CLIENT", "value": "{{inputs.parameters.client}}"},
                {"name": "LAYER", "value": "{{inputs.parameters.layer}}"},
                {"name": "ACTION", "value": "{{inputs.parameters.action}}"},
                {"name": "AWS_REGION", "value": "{{inputs.parameters.region}}"},
            ],
        },
    }


def build(jobs: list[Job], options: Options) -> Pipeline:
    tasks: list[dict[str, Any]] = []
    clients = sorted({job.client for job in jobs})
    for client in clients:
        tasks.append({"name": approval_name(client), "template": "approve", "when": APPLY})
    for job in jobs:
        # The client's approval comes first; when skipped (a plan), `dependencies` treats it as done.
        dependencies = [task_name(dep.client, dep.layer) for dep in job.upstream] or [approval_name(job.client)]
        tasks.append(
            {
                "name": task_name(job.client, job.layer),
                "template": "clientctl",
                "dependencies": dependencies,
                "arguments": {
                    "parameters": [
                        {"name": "client", "value": job.client},
                        {"name": "layer", "value": job.layer},
                        {"name": "action", "value": "{{workflow.parameters.action}}"},
                        {"name": "region", "value": options.region(job.client)},
                    ]
                },
            }
        )
    spec: dict[str, Any] = {
        "entrypoint": "main",
        "serviceAccountName": options.service_account,
        "arguments": {
            "parameters": [
                {"name": "action", "value": "plan", "enum": ["plan", "apply"]},
                {"name": "repo", "value": options.repo},
                {"name": "revision", "value": options.default_branch},
            ]
        },
    }
    if options.max_parallel:
        spec["parallelism"] = options.max_parallel
    spec["templates"] = [
        {"name": "main", "dag": {"tasks": tasks}},
        _container_template(options),
        {"name": "approve", "suspend": {}},
    ]
    document: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "clientctl-", "labels": {"app.kubernetes.io/managed-by": "clientctl"}},
        "spec": spec,
    }
    return Pipeline("argo", document, len(tasks), False)
