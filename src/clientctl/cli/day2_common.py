"""Helpers shared by the day-2 AWS commands (status, lock, state, dns, cost report)."""

from __future__ import annotations

import datetime as dt
import getpass
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from clientctl import naming
from clientctl.aws.session import AwsTarget
from clientctl.registry import LoadedClient, Registry

F = TypeVar("F", bound=Callable[..., Any])


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ClientScope:
    """Where one client's state lives."""

    client: LoadedClient
    region: str
    environment: str
    bucket: str
    table: str | None

    @property
    def name(self) -> str:
        return self.client.name

    def key(self, layer: str) -> str:
        return naming.client_state_key(self.region, layer, self.environment, self.name)


def client_scope(registry: Registry, loaded: LoadedClient) -> ClientScope:
    platform = registry.platform
    model = loaded.model
    settings = platform.regions.get(model.region)
    short = settings.short_name if settings else model.region
    table = naming.lock_table(short) if platform.backend.dynamodb_locking else None
    return ClientScope(
        loaded, model.region, model.environment, naming.state_bucket(platform.project, model.environment), table
    )


def select_clients(registry: Registry, names: tuple[str, ...]) -> list[LoadedClient]:
    """The named clients (unknown: an error with a suggestion), or every client when none is named."""
    if not names:
        return [registry.clients[n] for n in sorted(registry.clients)]
    return [registry.client(n) for n in dict.fromkeys(names)]


def platform_scopes(registry: Registry) -> list[tuple[str, str, str, str | None]]:
    """(region, environment, state bucket, lock table) of every region x environment of platform.yaml."""
    platform = registry.platform
    scopes = []
    for region, settings in platform.regions.items():
        for env in platform.environments:
            table = naming.lock_table(settings.short_name) if platform.backend.dynamodb_locking else None
            scopes.append((region, env, naming.state_bucket(platform.project, env), table))
    return scopes


def actor(target: AwsTarget) -> dict[str, str]:
    """Who acts: the AWS caller (STS) and the local user@host (Terraform's ``Who`` has that form)."""
    arn = str(target.client("sts").get_caller_identity().get("Arn", ""))
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return {"aws_arn": arn, "who": f"{user}@{socket.gethostname()}"}
