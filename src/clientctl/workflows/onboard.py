"""``onboard``: the runbook's client onboarding checklist as a resumable workflow.

Steps (state in ``<repo>/.clientctl/onboard/<client>.json``; docs/onboarding.md):
  client     add the client (CIDR allocated) or, when clients/<client>.yaml exists, validate it
  render     write every layer's inputs
  backend    make sure the state bucket, lock table and observability buckets exist (offer to provision)
  layers     plan and apply every layer in graph order (run_graph); ``blocked`` when Terraform cannot
             download providers, with what remains and how to finish it elsewhere
  s3-verify  audit the platform's buckets (s3 verify)
  dns        the client zone exists and the parent's NS record delegates to it
  kubectl    aws eks update-kubeconfig (performed when the aws CLI and the cluster exist)
  manual     the checklist items no tool can do, with what to do
Completed steps are skipped by the next run; a changed registry input (the layers' input hash) makes
the layers step run again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from clientctl import naming, paths
from clientctl.aws import backend, s3_audit
from clientctl.aws.errors import error_code
from clientctl.aws.scope import write_backend_files
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.edits import add_client
from clientctl.errors import ClientctlError, ConfigError, refused_request_is_usage_error
from clientctl.ipam.ledger import load_ledger
from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator import RunOptions, input_hash, load_report, run_graph
from clientctl.registry.edit import ClientRequest
from clientctl.registry.loader import Registry
from clientctl.render.render import drift, render
from clientctl.rules import check_registry, load_registry
from clientctl.terraform.setup import STANDIN_NOTE, make_runner, uses_standins
from clientctl.workflows.common import (
    HasRegistry,
    Outcome,
    WorkflowIO,
    blocked_nodes,
    client_scope,
    endpoint_flags,
    manual_terraform,
    run_step,
)
from clientctl.workflows.state import StepState, WorkflowState, load_state

STEPS: list[tuple[str, str]] = [
    ("client", "Add the client (CIDR allocated) or validate its file"),
    ("render", "Render the layer inputs"),
    ("backend", "State bucket, lock table and observability buckets exist"),
    ("layers", "Plan and apply every layer in graph order"),
    ("s3-verify", "Verify S3 security of the platform's buckets"),
    ("dns", "DNS zone delegation"),
    ("kubectl", "kubectl context"),
    ("manual", "Remaining manual steps of the runbook checklist"),
]

# Verification steps: a failure is reported (exit 1) but does not stop the steps after it.
CHECKS: tuple[str, ...] = ("s3-verify", "dns", "kubectl")

# Runbook checklist items that stay with a human, and what to do for each.
MANUAL_STEPS: tuple[tuple[str, str], ...] = (
    (
        "7. database-secrets.tfvars",
        "not needed: layer 03 generates the PostgreSQL passwords into Secrets Manager ({secrets})",
    ),
    (
        "15. Test a sample application deployment",
        "kubectl --context {context} create deployment hello --image=nginx && kubectl --context {context} "
        "expose deployment hello --port 80 --type LoadBalancer; ExternalDNS publishes it under {zone}",
    ),
    (
        "16. Verify monitoring dashboards",
        "kubectl --context {context} -n {observability_namespace} port-forward svc/grafana 3000:80, open http://localhost:3000 "
        "(admin password: Secrets Manager {grafana})",
    ),
    ("17. Update documentation with client details", "`clientctl client show {client}` has every name and CIDR"),
    ("18. Notify the client with access credentials", "contact {email}; share credentials through your vault"),
)


@dataclass
class OnboardOptions:
    request: ClientRequest
    target: AwsTarget
    sandbox: bool = False
    auto_approve: bool = False
    dry_run: bool = False
    terraform: str | None = None
    parallelism: int = 4
    lock_timeout: str = "300s"


def layers_hash(registry: Registry, client: str) -> str:
    """One hash over every layer's inputs for the client (what a changed registry input changes)."""
    model = registry.client(client).model
    digest = hashlib.sha256()
    for layer in LAYER_NAMES:
        workdir = registry.root / naming.layer_dir(model.region, layer, model.environment)
        digest.update(layer.encode() + b"\0" + input_hash(workdir, client).encode() + b"\0")
    return digest.hexdigest()


class Onboarding:
    def __init__(self, root: Path, options: OnboardOptions, io: WorkflowIO) -> None:
        self.root = root
        self.options = options
        self.io = io
        self.client = options.request.name
        self.state: WorkflowState = load_state(root, "onboard", self.client, STEPS, persist=not options.dry_run)

    # --------------------------------------------------------------------------------------------- steps
    def registry(self) -> Registry:
        return load_registry(self.root)

    def step_client(self, _step: StepState) -> Outcome:
        path = paths.client_file(self.root, self.client)
        if path.exists():
            registry = self.registry()
            registry.client(self.client)
            ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
            errors = [f for f in check_registry(registry, ledger, dt.date.today()) if f.level == "error"]
            if errors:
                # an invalid configuration file, not a failed check of this run (README: exit 2)
                raise ConfigError(
                    f"clients/{self.client}.yaml exists but the registry does not validate",
                    hint="fix the findings above (`clientctl validate`), then rerun onboard",
                    findings=errors,
                )
            cidr = registry.client(self.client).model.network.vpc_cidr
            return Outcome("done", f"clients/{self.client}.yaml exists and validates (VPC {cidr})", data={"cidr": cidr})
        with refused_request_is_usage_error():
            result = add_client(self.root, self.options.request, dry_run=self.options.dry_run)
        cidr = str(result.allocation.cidr) if result.allocation else self.options.request.vpc_cidr
        if self.options.dry_run:
            return Outcome("pending", f"would create clients/{self.client}.yaml with VPC {cidr}")
        return Outcome("done", f"created clients/{self.client}.yaml, VPC {cidr}", data={"cidr": cidr})

    def step_render(self, _step: StepState) -> Outcome:
        if self.options.dry_run:
            return Outcome("pending", "would render the layer inputs (clientctl render)")
        result = render(self.registry())
        return Outcome("done", f"{len(result.written)} file(s) written, {len(result.unchanged)} up to date")

    def step_backend(self, _step: StepState) -> Outcome:
        registry = self.registry()
        scope = client_scope(registry, self.client)
        target = self.options.target
        spec = scope.spec()
        command = f"clientctl backend provision{endpoint_flags(target, sandbox=self.options.sandbox)}"
        with aws_errors(target):
            account = check_credentials(target)
            s3 = target.client("s3", region=scope.region)
            plan = backend.plan(
                spec, s3, target.client("dynamodb", region=scope.region), account, target.client("s3control")
            )
            if plan.empty:
                return Outcome("done", f"{len(plan.status)} resource(s) exist and match (account {account})")
            details = [f"{c.resource}: {c.setting} -> {c.desired}" for c in plan.changes[:12]]
            if len(plan.changes) > 12:
                details.append(f"... and {len(plan.changes) - 12} more")
            summary = f"{len(plan.changes)} change(s) needed ({', '.join(sorted(set(plan.status.values())))})"
            if self.options.dry_run:
                return Outcome("pending", f"{summary}; would offer `{command}`", details)
            question = f"The backend needs {len(plan.changes)} change(s) in account {account}. Provision it now?"
            if not (self.options.auto_approve or self.io.confirm(question)):
                return Outcome("blocked", f"{summary}; not provisioned", [f"run: {command}", "then rerun onboard"])
            backend.apply_plan(plan, progress=self.io.emit)
        write_backend_files(HasRegistry(registry), scope)
        return Outcome("done", f"provisioned: {len(plan.changes)} change(s) applied ({command})")

    def layers_valid(self, step: StepState) -> bool:
        if drift(self.registry()):
            return False
        return bool(step.data.get("input_hash") == layers_hash(self.registry(), self.client))

    def step_layers(self, step: StepState) -> Outcome:
        registry = self.registry()
        flags = endpoint_flags(self.options.target, sandbox=self.options.sandbox)
        if self.options.dry_run:
            return Outcome(
                "pending",
                f"would plan and apply {len(LAYER_NAMES)} layer(s) in graph order",
                [f"clientctl apply {self.client}{flags}"],
            )
        stale = drift(registry)
        if stale:
            raise ConfigError(f"generated layer inputs are stale ({stale[0]})", hint="run `clientctl render`")
        runner = make_runner(
            self.root, self.options.target, terraform=self.options.terraform, lock_timeout=self.options.lock_timeout
        )
        previous = None
        for run_id in reversed(step.run_ids):
            try:
                previous = load_report(paths.runs_dir(self.root), run_id)
                break
            except ConfigError:
                continue
        report = run_graph(
            registry,
            [self.client],
            LAYER_NAMES,
            "apply",
            runner,
            self.io.approve,
            RunOptions(
                parallelism=self.options.parallelism,
                auto_approve=self.options.auto_approve,
                resume=previous if previous is not None and previous.action == "apply" else None,
                extra={"endpoint_url": self.options.target.effective_endpoint, "workflow": "onboard"},
            ),
            control=self.io.control,
            observer=self.io.observer,
        )
        data = {"input_hash": layers_hash(registry, self.client)}
        shown = report.path.relative_to(self.root) if report.path else ""
        ok = [n.layer for n in report.nodes if n.status in ("succeeded", "no-changes")]
        remaining = [n.layer for n in report.nodes if n.status not in ("succeeded", "no-changes")]
        if not remaining:
            message = f"{len(ok)} layer(s) applied (report {shown})"
            if runner.standins:
                message += f"; {STANDIN_NOTE}"
            return Outcome("done", message, run_ids=[report.run_id], data=data)
        blocked = blocked_nodes(self.root, report)
        if blocked:
            first = next(iter(blocked.values()))
            layer_flags = " ".join(f"--layer {ly}" for ly in remaining)
            details = [
                f"Terraform cannot download provider {first.provider}: {first.first_line} "
                f"(could not connect to {first.host}).",
                f"Applied: {', '.join(ok) or 'none'}. Remaining for client {self.client}: {', '.join(remaining)}.",
                "On a machine with network access to registry.terraform.io, in this repository (same registry):",
                f"  clientctl apply {self.client} {layer_flags}{flags}",
                "or by hand, per layer in this order:",
                *[
                    f"  {line}"
                    for line in manual_terraform(
                        self.root, registry, self.client, remaining, "apply", self.options.target.effective_endpoint
                    )
                ],
                "or make providers available here: on a connected machine run `terraform providers mirror DIR` in "
                "each layer folder, copy DIR here and point TF_PLUGIN_CACHE_DIR (or a filesystem_mirror) at it.",
                f"Then rerun `clientctl onboard {self.client}{flags}`: it continues with the remaining steps.",
                f"Logs: {Path(str(shown)).parent / 'logs' / self.client}/",
            ]
            return Outcome(
                "blocked",
                f"Terraform cannot download providers ({len(remaining)} layer(s) not applied)",
                details,
                [report.run_id],
                data,
            )
        failed = [
            f"{n.layer}: {n.status}: {n.error}" for n in report.nodes if n.status not in ("succeeded", "no-changes")
        ]
        return Outcome(
            "failed",
            f"{len(remaining)} layer(s) not applied (report {shown})",
            [*failed, f"fix and rerun `clientctl onboard {self.client}{flags}` (applied layers are reused)"],
            [report.run_id],
            data,
        )

    def step_s3_verify(self, _step: StepState) -> Outcome:
        if self.options.dry_run:
            return Outcome("pending", "would audit the platform's buckets and lock table (clientctl s3 verify)")
        registry = self.registry()
        scope = client_scope(registry, self.client)
        target = self.options.target
        spec = scope.spec()
        with aws_errors(target):
            account = check_credentials(target)
            s3 = target.client("s3", region=scope.region)
            existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
            findings = [
                s3_audit.AuditFinding(b.name, "s3.exists", "high", "FAIL", "expected bucket does not exist", "")
                for b in spec.buckets
                if b.name not in existing
            ]
            findings += s3_audit.run_audit(
                s3,
                target.client("s3control", region=scope.region),
                target.client("dynamodb", region=scope.region),
                account,
                [(b.name, b) for b in spec.buckets if b.name in existing],
                scope.lock_table,
            )
        failing = [f for f in findings if f.counts("low")]
        passed = sum(1 for f in findings if f.status == "PASS")
        if failing:
            return Outcome(
                "failed",
                f"{len(failing)} S3 security check(s) failed",
                [f"{f.bucket}: {f.check}: {f.detail} (remedy: {f.remedy})" for f in failing[:15]],
            )
        return Outcome("done", f"{passed} check(s) passed, none failed at severity low or above")

    def step_dns(self, _step: StepState) -> Outcome:
        registry = self.registry()
        names = _names(registry, self.client)
        zone, parent = names.dns_zone, registry.platform.parent_zone
        by_hand = [
            f"aws route53 list-hosted-zones-by-name --dns-name {zone}  (the client zone, created by layer 05)",
            f"aws route53 list-resource-record-sets --hosted-zone-id <parent {parent} zone id> "
            f"--query \"ResourceRecordSets[?Name=='{zone}.' && Type=='NS']\"  (must list the client zone's name servers)",
            f"dig +short NS {zone}",
        ]
        if self.options.dry_run:
            return Outcome("pending", f"would check that {zone} exists and {parent} delegates it", by_hand)
        target = self.options.target
        try:
            r53 = target.client("route53")
            zone_id = _zone_id(r53, zone)
            if zone_id is None and uses_standins(target):
                # Layer 05 ran with the stand-ins, which create nothing in the sandbox's Route53.
                return Outcome("skipped", f"hosted zone {zone} not in the sandbox: {STANDIN_NOTE}", by_hand)
            if zone_id is None:
                return Outcome(
                    "failed",
                    f"hosted zone {zone} not found (layer 05-cluster-services creates it)",
                    ["check that 05-cluster-services was applied for this client", *by_hand],
                )
            servers = _ns(r53, zone_id, zone)
            parent_id = _zone_id(r53, parent)
            if parent_id is None:
                return Outcome(
                    "manual",
                    f"{zone} exists; the parent zone {parent} is not in this account",
                    [f"ask the owner of {parent} for an NS record {zone} -> {', '.join(sorted(servers))}"],
                )
            delegated = _ns(r53, parent_id, zone)
        except ClientctlError:
            raise
        except Exception as exc:  # Route53 unreachable or denied: say what to check instead
            return Outcome("manual", f"Route53 not reachable ({error_code(exc)}); check by hand", by_hand)
        if not delegated:
            return Outcome(
                "failed",
                f"{parent} has no NS record for {zone}",
                [
                    f"add NS {zone} -> {', '.join(sorted(servers))} in {parent} (layer 05 does, if it manages the parent)"
                ],
            )
        if {s.rstrip(".") for s in delegated} != {s.rstrip(".") for s in servers}:
            return Outcome(
                "failed",
                f"the NS record for {zone} in {parent} does not match the zone's name servers",
                [f"parent: {', '.join(sorted(delegated))}", f"zone:   {', '.join(sorted(servers))}"],
            )
        return Outcome("done", f"{zone} exists and {parent} delegates it ({len(servers)} name servers)")

    def step_kubectl(self, _step: StepState) -> Outcome:
        registry = self.registry()
        model = registry.client(self.client).model
        if not model.eks.enabled:
            return Outcome("skipped", "EKS is disabled for this client")
        names = _names(registry, self.client)
        command = [
            "aws",
            "eks",
            "update-kubeconfig",
            "--region",
            model.region,
            "--name",
            names.cluster,
            "--alias",
            names.kubectl_context,
        ]
        shown = shlex.join(command)
        if self.options.dry_run:
            return Outcome("pending", f"would run: {shown}")
        aws_cli = shutil.which("aws")
        target = self.options.target
        try:
            target.client("eks", region=model.region).describe_cluster(name=names.cluster)
            exists = True
        except Exception:
            exists = False
        if aws_cli is None or not exists:
            why = "the aws CLI is not installed" if aws_cli is None else f"cluster {names.cluster} does not exist yet"
            return Outcome(
                "manual", f"{why}; run it by hand", [shown, f"kubectl --context {names.kubectl_context} get nodes"]
            )
        env = dict(os.environ)
        if target.effective_endpoint:
            env["AWS_ENDPOINT_URL"] = target.effective_endpoint
        if target.ca_bundle:
            env["AWS_CA_BUNDLE"] = target.ca_bundle
        if target.static_credentials:
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = target.static_credentials
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        if proc.returncode != 0:
            return Outcome("manual", f"`{shown}` failed (exit {proc.returncode})", [proc.stderr.strip()[:300], shown])
        return Outcome("done", f"kubectl context {names.kubectl_context} set up ({shown})")

    def step_manual(self, _step: StepState) -> Outcome:
        registry = self.registry()
        model = registry.client(self.client).model
        names = _names(registry, self.client)
        values = {
            "client": self.client,
            "context": names.kubectl_context,
            "zone": names.dns_zone,
            "secrets": names.secret("postgres-superuser"),
            "grafana": names.secret("grafana-admin"),
            "email": model.metadata.contact_email,
            "observability_namespace": naming.OBSERVABILITY_NAMESPACE,
        }
        details = [f"{item}: {what.format(**values)}" for item, what in MANUAL_STEPS]
        return Outcome("manual", f"{len(MANUAL_STEPS)} checklist item(s) for a human", details)

    # ------------------------------------------------------------------------------------------------ run
    def run(self) -> WorkflowState:
        io, state = self.io, self.state
        order = [
            ("client", self.step_client, lambda s: (paths.client_file(self.root, self.client)).is_file()),
            ("render", self.step_render, lambda s: not drift(self.registry())),
            ("backend", self.step_backend, lambda s: True),
            ("layers", self.step_layers, self.layers_valid),
            ("s3-verify", self.step_s3_verify, lambda s: True),
            ("dns", self.step_dns, lambda s: True),
            ("kubectl", self.step_kubectl, lambda s: True),
            ("manual", self.step_manual, lambda s: True),
        ]
        for name, work, valid in order:
            step = run_step(state, name, work, io, still_valid=valid)
            if step.status in ("blocked", "failed") and name not in CHECKS:
                break  # later steps need this one; the checks after `layers` all run and report
            if self.options.dry_run and name == "client" and step.status == "pending":
                # the client does not exist yet: later steps can only be described
                for rest, _title in STEPS[1:]:
                    later = state.step(rest)
                    later.status, later.message = "pending", "after the client is added"
                    io.on_step(later, False)
                break
        return state


def _names(registry: Registry, client: str) -> naming.ClientNames:
    model = registry.client(client).model
    return naming.ClientNames(
        client, model.environment, model.region, registry.platform.project, registry.platform.parent_zone
    )


def _zone_id(r53: object, name: str) -> str | None:
    fqdn = name.rstrip(".") + "."
    response = r53.list_hosted_zones_by_name(DNSName=fqdn, MaxItems="10")  # type: ignore[attr-defined]
    for zone in response.get("HostedZones", []):
        if zone["Name"] == fqdn and not zone.get("Config", {}).get("PrivateZone", False):
            return str(zone["Id"]).split("/")[-1]
    return None


def _ns(r53: object, zone_id: str, name: str) -> list[str]:
    fqdn = name.rstrip(".") + "."
    response = r53.list_resource_record_sets(  # type: ignore[attr-defined]
        HostedZoneId=zone_id, StartRecordName=fqdn, StartRecordType="NS", MaxItems="1"
    )
    for record in response.get("ResourceRecordSets", []):
        if record["Name"] == fqdn and record["Type"] == "NS":
            return [str(r["Value"]) for r in record.get("ResourceRecords", [])]
    return []


def onboard(root: Path, options: OnboardOptions, io: WorkflowIO) -> WorkflowState:
    """Run (or continue) the onboarding of ``options.request.name``; returns the recorded state."""
    return Onboarding(root, options, io).run()
