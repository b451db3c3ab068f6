"""Fixtures for orchestrator tests: a moto S3/DynamoDB server (one per xdist worker) and a scratch repository
whose six layer folders hold the provider-free fixture layers plus real `clientctl render` output."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from clientctl import naming
from clientctl.layers import LAYER_NAMES
from clientctl.render.render import render
from clientctl.rules import load_registry

REPO = Path(__file__).resolve().parents[2]
FIXTURE_LAYER = Path(__file__).parent / "fixtures" / "layer.tf"
TERRAFORM = REPO / ".venv" / "bin" / "terraform"
REGION = "us-east-2"
ENV = "production"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "TF_CLI_CONFIG_FILE": "/dev/null",
}


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    kw = _client_kwargs(url)
    ddb = boto3.client("dynamodb", **kw)
    ddb.create_table(
        TableName=naming.lock_table("us-east"),
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield url
    server.stop()


def _client_kwargs(url: str) -> dict[str, Any]:
    return {
        "endpoint_url": url,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


@dataclass
class Sandbox:
    root: Path
    url: str
    bucket: str

    def s3(self) -> Any:
        return boto3.client("s3", **_client_kwargs(self.url))

    def dynamodb(self) -> Any:
        return boto3.client("dynamodb", **_client_kwargs(self.url))

    def state_key(self, client: str, layer: str) -> str:
        return naming.client_state_key(REGION, layer, ENV, client)

    def state_keys(self) -> set[str]:
        pages = self.s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return {o["Key"] for page in pages for o in page.get("Contents", []) if o["Key"].endswith(".tfstate")}

    def state(self, client: str, layer: str) -> dict[str, Any]:
        import json

        body = self.s3().get_object(Bucket=self.bucket, Key=self.state_key(client, layer))["Body"].read()
        return dict(json.loads(body))

    def layer_dir(self, layer: str) -> Path:
        return self.root / naming.layer_dir(REGION, layer, ENV)


@pytest.fixture
def sandbox(tmp_path: Path, moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """A scratch repository with its own state bucket (unique project name), rendered, fixture layers installed."""
    if not TERRAFORM.is_file():
        pytest.skip("no .venv/bin/terraform: run ./dev setup")
    root = tmp_path / "repo"
    root.mkdir()
    project = f"orch-{secrets.token_hex(4)}"
    text = (REPO / "platform.yaml").read_text(encoding="utf-8").replace("project: ohio-01", f"project: {project}")
    (root / "platform.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(REPO / "clients", root / "clients")
    shutil.copy(REPO / "cidr-registry.yaml", root / "cidr-registry.yaml")
    for layer in LAYER_NAMES:
        target = root / naming.layer_dir(REGION, layer, ENV)
        target.mkdir(parents=True)
        shutil.copy(FIXTURE_LAYER, target / "main.tf")
    render(load_registry(root))
    bucket = naming.state_bucket(project, ENV)
    boto3.client("s3", **_client_kwargs(moto_url)).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("CLIENTCTL_TERRAFORM", str(TERRAFORM))
    monkeypatch.delenv("TF_PLUGIN_CACHE_DIR", raising=False)
    monkeypatch.delenv("TF_VAR_fail_on", raising=False)
    monkeypatch.delenv("TF_WORKSPACE", raising=False)
    return Sandbox(root, moto_url, bucket)
