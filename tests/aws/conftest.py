"""One sandbox server (our HTTPS moto launcher) per test session and xdist worker; fresh state per test.

Tests talk to a real HTTP endpoint. Reading settings back for assertions uses plain boto3 clients
(`raw`), never clientctl's own code.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import click
import pytest
from click.testing import CliRunner

from clientctl import sandbox
from clientctl.aws.session import AwsTarget, CallRecorder
from clientctl.cli import cli
from clientctl.errors import ClientctlError

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-2"
PROJECT = "ohio-01"
ENV = "production"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sandbox.SandboxState]:
    root = tmp_path_factory.mktemp("sandbox-root")
    state = sandbox.start(root, http_port=0)
    yield state
    sandbox.stop(root)


@dataclass
class Aws:
    state: sandbox.SandboxState
    repo: Path

    @property
    def env(self) -> dict[str, str | None]:
        return {
            "AWS_ENDPOINT_URL": self.state.endpoint,
            "AWS_CA_BUNDLE": self.state.ca_bundle,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_PROFILE": None,
        }

    def raw(self, service: str = "s3", **kwargs: Any) -> Any:
        """A plain boto3 client (not clientctl's factory) for setting up and reading back."""
        client = boto3.client(
            service,
            endpoint_url=self.state.endpoint,
            verify=self.state.ca_bundle,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            **kwargs,
        )
        if service == "s3control":  # the sandbox has no <account>.127.0.0.1 host names
            client.meta.events.register("before-sign.s3-control.*", _strip_account)
        return client

    def target(self, recorder: CallRecorder | None = None) -> AwsTarget:
        return AwsTarget(
            endpoint_url=self.state.endpoint,
            region=REGION,
            ca_bundle=self.state.ca_bundle,
            static_credentials=("testing", "testing"),
            recorder=recorder,
        )

    def cli(self, *args: str, input: str | None = None, env: dict[str, str | None] | None = None) -> tuple[int, str]:
        return run_cli(["--root", str(self.repo), *args], env={**self.env, **(env or {})}, input=input)


def _strip_account(request: Any, **_kwargs: Any) -> None:
    scheme, _, rest = request.url.partition("://")
    request.url = f"{scheme}://{rest.split('.', 1)[1]}" if rest.split(".", 1)[0].isdigit() else request.url


def run_cli(args: list[str], env: dict[str, str | None], input: str | None = None) -> tuple[int, str]:
    """Run the CLI like `clientctl.cli.main` does: (exit code, stdout + error message)."""
    result = CliRunner().invoke(cli, args, env=env, input=input, standalone_mode=False, catch_exceptions=True)
    exc = result.exception
    out = result.output
    if isinstance(exc, ClientctlError):
        found = "".join(f"\n{finding.render()}" for finding in exc.findings)
        return int(exc.exit_code), out + f"\nerror: {exc.message}\nhint: {exc.hint}{found}"
    if isinstance(exc, click.ClickException):
        return 2, out + f"\nerror: {exc.format_message()}"
    if isinstance(exc, click.exceptions.Abort):
        return 2, out + "\nAborted."
    if isinstance(exc, SystemExit):
        return int(exc.code or 0), out
    if exc is not None:
        raise exc
    return (result.return_value if isinstance(result.return_value, int) else 0), out


@pytest.fixture
def aws(server: sandbox.SandboxState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Aws:
    sandbox.reset(server)
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("platform.yaml", "cidr-registry.yaml"):
        shutil.copy(REPO / name, repo / name)
    for name in ("clients", "providers"):
        shutil.copytree(REPO / name, repo / name)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(key, raising=False)
    return Aws(server, repo)


# Shared by the tests of this folder (and tests/day2aws): the runbook's resource names and two CLI calls.
STATE = f"{PROJECT}-terraform-state-{ENV}"
OBS = {k: f"{PROJECT}-{REGION}-{k}-{ENV}" for k in ("logs", "traces", "metrics", "audit-logs")}
TABLE = "terraform-locks-us-east"


def provision(aws: Aws, *extra: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    return aws.cli(
        "backend",
        "provision",
        "--region",
        REGION,
        "--environment",
        ENV,
        "--project-name",
        PROJECT,
        "--force",
        *extra,
        env=env,
    )


def verify(aws: Aws, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out = aws.cli("-o", "json", "s3", "verify", "--region", REGION, *extra)
    return code, json.loads(out[out.index("{\n") : out.rindex("}") + 1])
