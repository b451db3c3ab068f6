"""GitLab CI: stages per layer (plan then apply), one job per node with ``needs`` (the DAG), a resource group
per Terraform state, plans in merge-request pipelines, manual applies on the default branch behind a
protected environment ``<environment>/<client>``, OIDC credentials from ``id_tokens``; a final report job."""

from __future__ import annotations

from typing import Any

from clientctl.layers import LAYER_NAMES
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
from clientctl.pipelines.graph import Job, chunks, layer_groups, lock_name

#: GitLab's limit of jobs per parallel:matrix.
MATRIX_LIMIT = 200
MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"'
DEFAULT_BRANCH = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
TOKEN_FILE = "/tmp/clientctl-aws-web-identity-token"
#: boto3 and Terraform's AWS SDK read AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE natively
#: (AssumeRoleWithWebIdentity): the job writes its ID token to that file first.
WRITE_TOKEN = f'printf %s "$AWS_ID_TOKEN" > "{TOKEN_FILE}"'


def stage(action: str, layer: str) -> str:
    return f"{action}-{layer}"


def job_name(action: str, client: str, layer: str) -> str:
    return f"{action}:{client}:{layer}"


def _node_job(
    action: str, client: str, layer: str, needs: list[str], options: Options, *, region: str, lock: str, **extra: Any
) -> dict[str, Any]:
    job: dict[str, Any] = {"stage": stage(action, layer), "needs": needs, "resource_group": lock}
    if action == "plan":
        job["rules"] = [{"if": MERGE_REQUEST}]
    else:
        job["rules"] = [{"if": DEFAULT_BRANCH, "when": "manual"}]
        job["environment"] = {"name": f"{options.environment}/{client}"}
    job |= extra
    job["variables"] = {"AWS_REGION": region}
    job["id_tokens"] = {"AWS_ID_TOKEN": {"aud": "sts.amazonaws.com"}}
    job["script"] = [WRITE_TOKEN, clientctl_line(action, client, layer)]
    job["artifacts"] = {"paths": [RUNS_DIR], "when": "always"}
    return job


def _per_node(jobs: list[Job], options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for action in ("plan", "apply"):
        for job in jobs:
            out[job_name(action, job.client, job.layer)] = _node_job(
                action,
                job.client,
                job.layer,
                [job_name(action, dep.client, dep.layer) for dep in job.upstream],
                options,
                region=options.region(job.client),
                lock=lock_name(job.client, job.layer),
            )
    return out


def _matrix(jobs: list[Job], options: Options) -> dict[str, Any]:
    out: dict[str, Any] = {}
    groups = layer_groups(jobs)
    shards = {group.layer: list(chunks(group.clients, MATRIX_LIMIT)) for group in groups}
    for action in ("plan", "apply"):
        for group in groups:
            # needing a parallel:matrix job by its name waits for every one of its instances
            needs = [f"{action}:{up}:{n}" for up in group.upstream for n in range(1, len(shards[up]) + 1)]
            for n, shard in enumerate(shards[group.layer], start=1):
                entries = [{"CLIENT": client, "CLIENTCTL_REGION": options.region(client)} for client in shard]
                out[f"{action}:{group.layer}:{n}"] = _node_job(
                    action,
                    "$CLIENT",
                    group.layer,
                    needs,
                    options,
                    region="$CLIENTCTL_REGION",
                    lock=lock_name("$CLIENT", group.layer),
                    parallel={"matrix": entries},
                )
    return out


def build(jobs: list[Job], options: Options) -> Pipeline:
    matrix = wants_matrix(options, 2 * len(jobs) + 1)
    node_jobs = _matrix(jobs, options) if matrix else _per_node(jobs, options)
    layers = [layer for layer in LAYER_NAMES if any(job.layer == layer for job in jobs)]
    document: dict[str, Any] = {
        "workflow": {"rules": [{"if": MERGE_REQUEST}, {"if": DEFAULT_BRANCH}]},
        "stages": [stage(a, layer) for a in ("plan", "apply") for layer in layers] + ["report"],
        "variables": {
            "AWS_ROLE_ARN": "$CLIENTCTL_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE": TOKEN_FILE,
            "AWS_ROLE_SESSION_NAME": "clientctl-$CI_JOB_ID",
        },
        "default": {
            "image": f"python:{options.python_version}",
            "before_script": [*INSTALL_CLIENTCTL, INSTALL_TERRAFORM, 'export PATH="$PWD/.venv/bin:$PATH"'],
        },
        **node_jobs,
        # No needs: it waits for every earlier stage and gets every job's .clientctl/runs/ artifact.
        "report": {
            "stage": "report",
            "rules": [{"when": "always"}],
            "before_script": [*INSTALL_CLIENTCTL, 'export PATH="$PWD/.venv/bin:$PATH"'],
            "script": [merge_script(RUNS_DIR.rstrip("/"))],
            "artifacts": {"paths": [MERGED_REPORT], "when": "always"},
        },
    }
    return Pipeline("gitlab-ci", document, len(node_jobs) + 1, matrix)
