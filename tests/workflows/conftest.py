"""Onboard/offboard tests against the real HTTPS sandbox (tests/aws fixtures: one server per xdist worker,
reset per test) with the real Terraform: a scratch repository with either the provider-free fixture layers
(tests/orchestrator/fixtures/layer.tf) or the real layers (whose init cannot download providers here)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from clientctl import naming, sandbox
from clientctl.layers import LAYER_NAMES
from clientctl.render.render import render
from clientctl.rules import load_registry
from tests.aws.conftest import server  # noqa: F401  (the session's sandbox server)
from tests.helpers import Result, Runner

REPO = Path(__file__).resolve().parents[2]
FIXTURE_LAYER = REPO / "tests" / "orchestrator" / "fixtures" / "layer.tf"
TERRAFORM = REPO / ".venv" / "bin" / "terraform"
REGION = "us-east-2"
ENV = "production"
PROJECT = "ohio-01"
STATE_BUCKET = naming.state_bucket(PROJECT, ENV)
OBS_BUCKETS = naming.observability_buckets(PROJECT, REGION, ENV)


@dataclass
class Env:
    root: Path
    state: sandbox.SandboxState
    run: Callable[..., Result]

    def s3(self) -> Any:
        return self.raw("s3")

    def raw(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.state.endpoint,
            verify=self.state.ca_bundle,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def cli(self, *args: str) -> Result:
        return self.run("--root", str(self.root), *args)

    def tf(self, *args: str) -> Result:
        """A Terraform-running command, one node at a time and a short lock wait: under heavy load (a full
        parallel suite next to other suites) Terraform 1.15 with both DynamoDB and S3-lockfile locking once
        left a DynamoDB lock item against moto that its own apply then waited on for -lock-timeout."""
        return self.cli(*args, "--parallelism", "1", "--lock-timeout", "20s")

    def provision(self) -> None:
        res = self.cli("backend", "provision", "--sandbox", "--force")
        assert res.code == 0, res.text

    def versions(self, bucket: str, prefix: str = "") -> set[tuple[str, str]]:
        """(key, version id) of every version and delete marker under prefix."""
        found: set[tuple[str, str]] = set()
        for page in self.s3().get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
                found.add((item["Key"], item["VersionId"]))
        return found

    def all_versions(self) -> dict[str, set[tuple[str, str]]]:
        """Every bucket's versions, without the S3 server access logs (S3 writes those for any request)."""
        names = [b["Name"] for b in self.s3().list_buckets().get("Buckets", [])]
        return {
            name: {v for v in self.versions(name) if not v[0].startswith("s3-access-logs/")} for name in sorted(names)
        }

    def put_observability(self, client: str, count: int = 2) -> None:
        s3 = self.s3()
        for kind, bucket in OBS_BUCKETS.items():
            for i in range(count):
                key = f"{naming.observability_prefix(kind, client)}2026/11/part-{i}.json"
                s3.put_object(Bucket=bucket, Key=key, Body=b"{}" * (i + 1))
                s3.put_object(Bucket=bucket, Key=key, Body=b"{}" * (i + 2))  # a second version

    def delegate_zone(self, client: str) -> None:
        """The parent zone and the client zone with a matching NS delegation (what layer 05 would create)."""
        r53 = self.raw("route53")
        parent = r53.create_hosted_zone(Name="ezra.world", CallerReference="parent")["HostedZone"]["Id"]
        zone = r53.create_hosted_zone(Name=f"{client}.ezra.world", CallerReference=client)
        servers = zone["DelegationSet"]["NameServers"]
        record = {"Name": f"{client}.ezra.world.", "Type": "NS", "TTL": 300}
        record["ResourceRecords"] = [{"Value": s} for s in servers]
        r53.change_resource_record_sets(
            HostedZoneId=parent, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}
        )

    def step(self, kind: str, client: str, name: str) -> dict[str, Any]:
        data = json.loads((self.root / ".clientctl" / kind / f"{client}.json").read_text())
        return dict(next(s for s in data["steps"] if s["name"] == name))

    def runs(self) -> list[str]:
        folder = self.root / ".clientctl" / "runs"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _scratch(tmp_path: Path, state: sandbox.SandboxState, *, fixture_layers: bool) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("platform.yaml", "cidr-registry.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("clients", "providers", "modules"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
    if fixture_layers:
        for layer in LAYER_NAMES:
            folder = root / naming.layer_dir(REGION, layer, ENV)
            for tf in folder.glob("*.tf"):
                tf.unlink()
            shutil.copy(FIXTURE_LAYER, folder / "main.tf")
    render(load_registry(root))
    # --sandbox reads <root>/.clientctl/sandbox.json: point this repository at the session's server.
    (root / ".clientctl").mkdir()
    (root / ".clientctl" / "sandbox.json").write_text(json.dumps(asdict(state)))
    return root


def _env(
    tmp_path: Path, state: sandbox.SandboxState, cli: Runner, monkeypatch: pytest.MonkeyPatch, fixture: bool
) -> Env:
    if not TERRAFORM.is_file():
        pytest.skip("no .venv/bin/terraform: run ./dev setup")
    sandbox.reset(state)
    for key in (
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "TF_PLUGIN_CACHE_DIR",
        "TF_WORKSPACE",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("CLIENTCTL_TERRAFORM", str(TERRAFORM))
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    return Env(_scratch(tmp_path, state, fixture_layers=fixture), state, cli)


@pytest.fixture
def fixture_env(tmp_path: Path, server: sandbox.SandboxState, cli: Runner, monkeypatch: pytest.MonkeyPatch) -> Env:  # noqa: F811
    """Scratch repository with the provider-free fixture layers, pointed at the sandbox."""
    return _env(tmp_path, server, cli, monkeypatch, True)


@pytest.fixture
def real_env(tmp_path: Path, server: sandbox.SandboxState, cli: Runner, monkeypatch: pytest.MonkeyPatch) -> Env:  # noqa: F811
    """Scratch repository with the real layers (their init needs providers from registry.terraform.io)."""
    return _env(tmp_path, server, cli, monkeypatch, False)
