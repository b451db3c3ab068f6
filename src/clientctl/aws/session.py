"""The one place AWS clients come from (docs/adr/ADR-011).

:class:`AwsTarget` says where calls go (endpoint, profile, region, CA bundle); core functions take the
clients it makes as parameters, so the same code runs against the sandbox, a test server and AWS.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from clientctl.aws.errors import error_code
from clientctl.errors import ClientctlError, ConfigError

DEFAULT_REGION = "us-east-1"


MUTATING_PREFIXES = ("Create", "Put", "Delete", "Update", "Abort", "Restore", "Copy", "Upload", "Complete", "Tag")


def is_mutating(operation: str) -> bool:
    return operation.startswith(MUTATING_PREFIXES)


class CallRecorder:
    """Count API calls through botocore's ``before-call`` event (tests and benchmarks)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", self._record)
        return client

    def _record(self, model: Any, **_kwargs: Any) -> None:
        self.calls.append(str(model.name))

    @property
    def mutating(self) -> list[str]:
        return [c for c in self.calls if is_mutating(c)]

    def count(self, operation: str) -> int:
        return sum(1 for c in self.calls if c == operation)


@dataclass(frozen=True)
class AwsTarget:
    endpoint_url: str | None = None
    profile: str | None = None
    region: str | None = None
    ca_bundle: str | None = None
    max_pool_connections: int = 32
    recorder: CallRecorder | None = field(default=None, compare=False)
    # Only for the sandbox (moto accepts any keys); real accounts use the normal credential chain.
    static_credentials: tuple[str, str] | None = field(default=None, repr=False)
    _session: list[boto3.Session] = field(default_factory=list, repr=False, compare=False)

    @property
    def effective_endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None

    def make_session(self) -> boto3.Session:
        if not self._session:
            try:
                keys: dict[str, str] = {}
                if self.static_credentials is not None:
                    keys = {
                        "aws_access_key_id": self.static_credentials[0],
                        "aws_secret_access_key": self.static_credentials[1],
                    }
                self._session.append(boto3.Session(profile_name=self.profile, region_name=self.region, **keys))
            except botocore.exceptions.ProfileNotFound as exc:
                raise ConfigError(
                    f"--profile {self.profile}: no such AWS profile",
                    hint="list profiles with `aws configure list-profiles`, or drop --profile",
                ) from exc
        return self._session[0]

    @property
    def region_name(self) -> str:
        return self.region or self.make_session().region_name or DEFAULT_REGION

    def client(self, service: str, region: str | None = None) -> Any:
        endpoint = self.effective_endpoint
        s3_config: dict[str, Any] = {"addressing_style": "path"} if endpoint else {}
        config = Config(
            retries={"mode": "adaptive", "max_attempts": 8},
            connect_timeout=5,
            read_timeout=60,
            max_pool_connections=self.max_pool_connections,
            s3=s3_config or None,
            # s3control prefixes the account id to the host; a custom endpoint has no such names.
            inject_host_prefix=not endpoint,
        )
        kwargs: dict[str, Any] = {"region_name": region or self.region_name, "config": config}
        if endpoint:
            kwargs["endpoint_url"] = endpoint
        if self.ca_bundle:
            kwargs["verify"] = self.ca_bundle
        client = self.make_session().client(service, **kwargs)
        if endpoint and service == "s3control":
            # The s3control endpoint rules put the account id in front of the host; a custom endpoint
            # (sandbox, proxy) has no such DNS names, so strip it again before the request is signed.
            client.meta.events.register("before-sign.s3-control.*", _strip_account_host)
        if self.recorder is not None:
            self.recorder.attach(client)
        return client

    def describe(self) -> str:
        parts = [f"region {self.region_name}"]
        if self.effective_endpoint:
            parts.append(f"endpoint {self.effective_endpoint}")
        if self.profile:
            parts.append(f"profile {self.profile}")
        return ", ".join(parts)


def _strip_account_host(request: Any, **_kwargs: Any) -> None:
    scheme, _, rest = request.url.partition("://")
    host, _, path = rest.partition("/")
    first, _, remainder = host.partition(".")
    if first.isdigit() and len(first) == 12 and remainder:
        request.url = f"{scheme}://{remainder}/{path}"


def check_credentials(target: AwsTarget) -> str:
    """Return the caller's account id (STS GetCallerIdentity), or raise a ConfigError naming what to set."""
    with aws_errors(target):
        if target.make_session().get_credentials() is None:
            raise ConfigError(
                "no AWS credentials found",
                hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / --profile "
                '(for the sandbox: `eval "$(clientctl sandbox env)"` or --sandbox)',
            )
        identity = target.client("sts").get_caller_identity()
    return str(identity["Account"])


@contextlib.contextmanager
def aws_errors(target: AwsTarget) -> Iterator[None]:
    """Turn connection and credential failures into clear user errors (exit 2), never tracebacks."""
    try:
        yield
    except ClientctlError:
        raise
    except botocore.exceptions.NoCredentialsError as exc:
        raise ConfigError(
            "no AWS credentials found",
            hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / --profile",
        ) from exc
    except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError) as exc:
        raise ConfigError(
            f"cannot reach AWS ({target.describe()})",
            hint="check --endpoint-url / AWS_ENDPOINT_URL, or start the sandbox: `clientctl sandbox start`",
        ) from exc
    except botocore.exceptions.SSLError as exc:
        raise ConfigError(
            f"TLS failure talking to {target.effective_endpoint or 'AWS'}",
            hint="for the sandbox, use --sandbox or export AWS_CA_BUNDLE from `clientctl sandbox env`",
        ) from exc
    except botocore.exceptions.ClientError as exc:
        code = error_code(exc)
        if code in {"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "UnrecognizedClientException"}:
            raise ConfigError(
                f"AWS rejected the credentials ({code})",
                hint="refresh them (aws sso login, new keys) or choose another --profile",
            ) from exc
        raise ClientctlError(f"AWS error {code}: {exc}") from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise ConfigError(f"AWS client error: {exc}", hint="check the endpoint, region and credentials") from exc
