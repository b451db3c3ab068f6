"""``offboard``: the inverse of onboard (the runbook has none), resumable.

Steps (state in ``<repo>/.clientctl/offboard/<client>.json``; docs/onboarding.md):
  export    optional: copy every object under the client's observability prefixes to a folder, verified
  destroy   destroy every layer in reverse graph order (run_graph destroy); ``blocked`` when Terraform
            cannot download providers, and then nothing below runs (nothing that should stay is deleted)
  prefixes  delete all versions and delete markers under ``{type}/client={client}/`` (only those prefixes)
  states    delete the client's states ``env:/<client>/...`` (all versions) and its lock-table digests
  cidr      release the VPC CIDR into quarantine in the ledger (platform.network.quarantine_days)
  client    remove clients/<client>.yaml and the client's local Terraform data
  render    render (the ledger keeps the released entry)
The client's CIDR, region and environment are recorded at the start, so a run interrupted after the
client file is gone can still finish.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clientctl import naming, paths
from clientctl.aws import object_files, s3_destroy
from clientctl.aws.errors import is_missing_bucket
from clientctl.aws.locks import remove_lock_digests
from clientctl.aws.session import AwsTarget, aws_errors, check_credentials
from clientctl.edits import remove_client
from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write
from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator import RunOptions, run_graph
from clientctl.registry.loader import Registry
from clientctl.render.render import drift, render
from clientctl.rules import load_registry
from clientctl.terraform.setup import make_runner
from clientctl.workflows.common import (
    Outcome,
    WorkflowIO,
    blocked_nodes,
    endpoint_flags,
    manual_terraform,
    run_step,
)
from clientctl.workflows.state import StepState, WorkflowState, load_state

STEPS: list[tuple[str, str]] = [
    ("export", "Export the client's observability objects"),
    ("destroy", "Destroy every layer in reverse graph order"),
    ("prefixes", "Delete the client's prefixes in the observability buckets"),
    ("states", "Delete the client's Terraform states"),
    ("cidr", "Release the CIDR, remove the client file and render (one journaled registry change)"),
    ("client", "Remove the client's local Terraform data"),
    ("render", "Render (nothing left to write after the registry change)"),
]


@dataclass
class OffboardOptions:
    client: str
    target: AwsTarget
    sandbox: bool = False
    export_dir: Path | None = None
    dry_run: bool = False
    terraform: str | None = None
    parallelism: int = 4
    lock_timeout: str = "300s"
    today: dt.date | None = None


def _prefixes(client: str) -> list[str]:
    return [naming.observability_prefix(kind, client) for kind in naming.OBSERVABILITY_TYPES]


def list_objects(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Current objects under ``prefix`` (Key, Size); a missing bucket has none."""
    found: list[dict[str, Any]] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found += [{"Key": o["Key"], "Size": int(o.get("Size", 0))} for o in page.get("Contents", [])]
    except Exception as exc:
        if is_missing_bucket(exc):
            return []
        raise
    return found


def count_versions(s3: Any, bucket: str, prefix: str) -> tuple[int, int]:
    """(versions, delete markers) under ``prefix``; a missing bucket has none."""
    versions = markers = 0
    try:
        for page in s3_destroy.iter_versions(s3, bucket, prefix):
            markers += sum(1 for i in page if i["IsMarker"])
            versions += sum(1 for i in page if not i["IsMarker"])
    except Exception as exc:
        if is_missing_bucket(exc):
            return 0, 0
        raise
    return versions, markers


class Offboarding:
    def __init__(self, root: Path, options: OffboardOptions, io: WorkflowIO) -> None:
        self.root = root
        self.options = options
        self.io = io
        self.client = options.client
        self.today = options.today or dt.date.today()
        self.state: WorkflowState = load_state(root, "offboard", self.client, STEPS, persist=not options.dry_run)
        if self.state.finished and paths.client_file(root, self.client).is_file():
            # offboarded earlier and onboarded again since: this is a new offboarding
            self.state = WorkflowState(
                "offboard", self.client, [StepState(n, t) for n, t in STEPS], path=self.state.path
            )
        self._record_client()

    # ------------------------------------------------------------------------------------------- plumbing
    def _record_client(self) -> None:
        """Remember what later steps need once the client file is gone."""
        data = self.state.data
        if "vpc_cidr" in data:
            return
        registry = load_registry(self.root)
        model = registry.client(self.client).model  # unknown client: ConfigError with "did you mean"
        data.update(
            vpc_cidr=model.network.vpc_cidr,
            region=model.region,
            environment=model.environment,
            project=registry.platform.project,
        )
        self.state.save()

    @property
    def region(self) -> str:
        return str(self.state.data["region"])

    @property
    def environment(self) -> str:
        return str(self.state.data["environment"])

    def registry(self) -> Registry:
        return load_registry(self.root)

    def buckets(self) -> dict[str, str]:
        return naming.observability_buckets(str(self.state.data["project"]), self.region, self.environment)

    @property
    def state_bucket(self) -> str:
        return naming.state_bucket(str(self.state.data["project"]), self.environment)

    def s3(self) -> Any:
        return self.options.target.client("s3", region=self.region)

    # --------------------------------------------------------------------------------------------- steps
    def step_export(self, _step: StepState) -> Outcome:
        folder = self.options.export_dir
        if folder is None:
            return Outcome("skipped", "no --export folder given")
        target = self.options.target
        with aws_errors(target):
            check_credentials(target)
            s3 = self.s3()
            listing = {
                bucket: list_objects(s3, bucket, prefix)
                for kind, bucket in self.buckets().items()
                for prefix in [naming.observability_prefix(kind, self.client)]
            }
            count = sum(len(v) for v in listing.values())
            size = sum(o["Size"] for v in listing.values() for o in v)
            if self.options.dry_run:
                return Outcome("pending", f"would copy {count} object(s), {size} bytes to {folder}")
            files = {bucket: object_files.plan_files(o["Key"] for o in objects) for bucket, objects in listing.items()}
            for bucket, objects in listing.items():
                if not objects:
                    continue
                (folder / bucket).mkdir(parents=True, exist_ok=True)
                for obj in objects:
                    body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                    object_files.write_object(folder / bucket, files[bucket][obj["Key"]], body)
                manifest = {"bucket": bucket, "objects": [{"key": k, "file": str(f)} for k, f in files[bucket].items()]}
                atomic_write(folder / f"{bucket}.clientctl-manifest.json", json.dumps(manifest, indent=2) + "\n")
        on_disk = {(b, k): folder / b / f for b, planned in files.items() for k, f in planned.items()}
        copied = [p for p in on_disk.values() if p.is_file() and not p.is_symlink()]
        expected = {(b, o["Key"]): o["Size"] for b, objs in listing.items() for o in objs}
        wrong = [
            f"{b}/{k}"
            for (b, k), n in expected.items()
            if not on_disk[b, k].is_file() or on_disk[b, k].stat().st_size != n
        ]
        got_size = sum(p.stat().st_size for p in copied)
        if wrong or len(copied) < count or got_size < size:
            return Outcome(
                "failed",
                f"export incomplete: {len(copied)}/{count} object(s), {got_size}/{size} bytes",
                wrong[:10],
            )
        return Outcome(
            "done",
            f"copied {count} object(s), {size} bytes to {folder} (count and sizes verified)",
            data={"objects": count, "bytes": size, "folder": str(folder)},
        )

    def _layers_with_state(self) -> list[str]:
        s3 = self.s3()
        with aws_errors(self.options.target):
            return [
                layer
                for layer in LAYER_NAMES
                if count_versions(
                    s3, self.state_bucket, naming.client_state_key(self.region, layer, self.environment, self.client)
                )[0]
            ]

    def step_destroy(self, step: StepState) -> Outcome:
        flags = endpoint_flags(self.options.target, sandbox=self.options.sandbox)
        have = self._layers_with_state()
        if self.options.dry_run:
            return Outcome(
                "pending",
                f"would destroy {len(LAYER_NAMES)} layer(s) in reverse graph order "
                f"({len(have)} have a state: {', '.join(have) or 'none'})",
            )
        if not have:
            # Never applied (or already destroyed and its states deleted): nothing for Terraform to destroy, so
            # no provider is needed and offboarding goes on (issue 13.5).
            return Outcome("done", "no layer has a state: nothing to destroy")
        registry = self.registry()
        if self.client not in registry.clients:
            raise ConfigError(
                f"clients/{self.client}.yaml is gone but the destroy step did not finish",
                hint=f"restore the client file from git, then rerun `clientctl offboard {self.client}`",
            )
        stale = drift(registry)
        if stale:
            raise ConfigError(f"generated layer inputs are stale ({stale[0]})", hint="run `clientctl render`")
        runner = make_runner(
            self.root, self.options.target, terraform=self.options.terraform, lock_timeout=self.options.lock_timeout
        )
        report = run_graph(
            registry,
            [self.client],
            LAYER_NAMES,
            "destroy",
            runner,
            lambda _r: True,  # approved by typing the client name (--confirm)
            RunOptions(
                parallelism=self.options.parallelism,
                auto_approve=True,
                extra={"endpoint_url": self.options.target.effective_endpoint, "workflow": "offboard"},
            ),
            control=self.io.control,
            observer=self.io.observer,
        )
        shown = report.path.relative_to(self.root) if report.path else ""
        ok = [n.layer for n in report.nodes if n.status in ("succeeded", "no-changes")]
        remaining = [n.layer for n in report.nodes if n.status not in ("succeeded", "no-changes")]
        if not remaining:
            return Outcome("done", f"{len(ok)} layer(s) destroyed (report {shown})", run_ids=[report.run_id])
        keep = "Nothing else was deleted: states, observability prefixes, the CIDR and the client file stay."
        blocked = blocked_nodes(self.root, report)
        if blocked:
            first = next(iter(blocked.values()))
            layer_flags = " ".join(f"--layer {ly}" for ly in remaining)
            return Outcome(
                "blocked",
                f"Terraform cannot download providers ({len(remaining)} layer(s) not destroyed)",
                [
                    f"Terraform cannot download provider {first.provider}: {first.first_line} "
                    f"(could not connect to {first.host}).",
                    f"Destroyed: {', '.join(ok) or 'none'}. Remaining for client {self.client}: {', '.join(remaining)}.",
                    keep,
                    "On a machine with network access to registry.terraform.io, in this repository:",
                    f"  clientctl destroy {self.client} {layer_flags} --auto-approve{flags}",
                    "or by hand, per layer in this (reverse) order:",
                    *[
                        f"  {line}"
                        for line in manual_terraform(
                            self.root,
                            registry,
                            self.client,
                            remaining,
                            "destroy",
                            self.options.target.effective_endpoint,
                        )
                    ],
                    f"Then rerun `clientctl offboard {self.client} --confirm {self.client}{flags}`.",
                ],
                [report.run_id],
            )
        return Outcome(
            "failed",
            f"{len(remaining)} layer(s) not destroyed (report {shown})",
            [*(f"{n.layer}: {n.status}: {n.error}" for n in report.nodes if n.layer in remaining), keep],
            [report.run_id],
        )

    def _empty_prefixes(self, bucket_prefixes: list[tuple[str, str]], what: str) -> Outcome:
        target = self.options.target
        with aws_errors(target):
            s3 = self.s3()
            counts = {(b, p): count_versions(s3, b, p) for b, p in bucket_prefixes}
            total = sum(v + m for v, m in counts.values())
            listing = [f"{b}/{p}: {v} version(s), {m} delete marker(s)" for (b, p), (v, m) in counts.items()]
            if self.options.dry_run:
                return Outcome("pending", f"would delete {total} version(s)/marker(s) of {what}", listing)
            errors: list[dict[str, str]] = []
            deleted = 0
            for (bucket, prefix), (v, m) in counts.items():
                if v + m == 0:
                    continue
                stats = s3_destroy.DestroyStats(bucket)
                s3_destroy.empty_bucket(s3, bucket, stats, prefix=prefix, progress=self.io.emit)
                deleted += stats.deleted
                errors += stats.errors
            left = {(b, p): count_versions(s3, b, p) for b, p in bucket_prefixes}
        remaining = sum(v + m for v, m in left.values())
        if errors or remaining:
            return Outcome(
                "failed",
                f"{remaining} version(s)/marker(s) of {what} could not be deleted",
                [f"{e['key']} {e['version_id']}: {e['code']} {e['message']}" for e in errors[:10]],
            )
        return Outcome("done", f"deleted {deleted} version(s)/marker(s) of {what}", listing)

    def step_prefixes(self, _step: StepState) -> Outcome:
        pairs = [(bucket, naming.observability_prefix(kind, self.client)) for kind, bucket in self.buckets().items()]
        return self._empty_prefixes(pairs, f"{len(pairs)} prefix(es) {{type}}/client={self.client}/")

    def step_states(self, _step: StepState) -> Outcome:
        prefix = f"{naming.WORKSPACE_KEY_PREFIX}/{self.client}/"
        outcome = self._empty_prefixes([(self.state_bucket, prefix)], f"s3://{self.state_bucket}/{prefix}")
        if outcome.status != "done":
            return outcome
        registry = self.registry() if (self.root / paths.PLATFORM_FILE).is_file() else None
        short = registry.platform.regions[self.region].short_name if registry else self.region
        table = naming.lock_table(short)
        with aws_errors(self.options.target):
            ddb = self.options.target.client("dynamodb", region=self.region)
            removed = remove_lock_digests(ddb, table, f"{self.state_bucket}/{prefix}")
        outcome.message += f"; {removed} lock-table digest item(s) removed"
        return outcome

    def step_cidr(self, _step: StepState) -> Outcome:
        registry = self.registry()
        quarantine = registry.platform.network.quarantine_days
        cidr = str(self.state.data["vpc_cidr"])
        until = self.today + dt.timedelta(days=quarantine)
        if self.options.dry_run:
            return Outcome(
                "pending",
                f"would release {cidr} into quarantine until {until} ({quarantine} days), remove "
                f"clients/{self.client}.yaml and render, as one change",
            )
        result = remove_client(self.root, self.client, cidr, self.region, self.environment, self.today)
        return Outcome(
            "done",
            f"{cidr} released (quarantined until {until}, {quarantine} days); clients/{self.client}.yaml removed; "
            f"{len(result.written)} rendered file(s) written",
        )

    def step_client(self, _step: StepState) -> Outcome:
        path = paths.client_file(self.root, self.client)
        local = [
            paths.tfdata_dir(paths.state_dir(self.root)) / self.client,
            paths.workflow_state_file(self.root, "onboard", self.client),
        ]
        if self.options.dry_run:
            return Outcome("pending", f"would remove the local Terraform data of {self.client}")
        if path.exists():  # the cidr step removes it; a file here is a new one, never deleted silently
            return Outcome("failed", f"clients/{self.client}.yaml exists again; offboarding stops here")
        for item in local:
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)
        return Outcome("done", f"removed the local Terraform data of {self.client}")

    def step_render(self, _step: StepState) -> Outcome:
        if self.options.dry_run:
            return Outcome(
                "pending", "would render (the client leaves every layer's inputs; the ledger keeps it released)"
            )
        result = render(self.registry(), today=self.today)
        return Outcome("done", f"{len(result.written)} file(s) written")

    # ------------------------------------------------------------------------------------------------ run
    def run(self) -> WorkflowState:
        order = [
            ("export", self.step_export),
            ("destroy", self.step_destroy),
            ("prefixes", self.step_prefixes),
            ("states", self.step_states),
            ("cidr", self.step_cidr),
            ("client", self.step_client),
            ("render", self.step_render),
        ]
        for name, work in order:
            step = run_step(self.state, name, work, self.io)
            if step.status in ("blocked", "failed"):
                break
        return self.state


def offboard(root: Path, options: OffboardOptions, io: WorkflowIO) -> WorkflowState:
    """Run (or continue) the offboarding of ``options.client``; returns the recorded state."""
    return Offboarding(root, options, io).run()
