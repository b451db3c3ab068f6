"""A client file as a document: build a new one from a request, apply ``PATH=VALUE`` settings.

Pure: nothing here reads or writes a file. Writing a change, validated and rendered as one journaled
change under the registry lock, is :mod:`clientctl.edits`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

import yaml

from clientctl.errors import ConfigError
from clientctl.registry.loader import LoadedClient, Registry, SourceFile
from clientctl.registry.models import Client


@dataclass(frozen=True)
class ClientRequest:
    name: str
    tier: str = "standard"
    code: str | None = None
    region: str | None = None
    environment: str | None = None
    vpc_cidr: str = "auto"
    prefix_length: int | None = None
    full_name: str | None = None
    contact_email: str | None = None
    cost_center: str | None = None
    sets: tuple[str, ...] = ()


def default_code(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())[:20] or "CLIENT"


def apply_set(document: dict[str, Any], assignment: str) -> None:
    """Apply ``path.to.key=value`` (value parsed as YAML: numbers, booleans, lists) to ``document``."""
    if "=" not in assignment:
        raise ConfigError(f"{assignment!r}: expected PATH=VALUE", hint="e.g. eks.desired_size=3")
    path, raw = assignment.split("=", 1)
    keys = path.strip().split(".")
    if not all(re.fullmatch(r"[a-z_][a-z0-9_]*", k) for k in keys):
        raise ConfigError(f"{assignment!r}: {path!r} is not a dotted key path", hint="e.g. vpn.enabled=true")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    node = document
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{assignment!r}: {key!r} is not a mapping")
        node = child
    node[keys[-1]] = value


def build_document(registry: Registry, request: ClientRequest, vpc_cidr: str, today: dt.date) -> dict[str, Any]:
    platform = registry.platform
    region = request.region or next(iter(platform.regions))
    code = request.code or default_code(request.name)
    document: dict[str, Any] = {
        "name": request.name,
        "enabled": True,
        "client_code": code,
        "tier": request.tier,
        "region": region,
        "environment": request.environment or platform.environments[0],
        "network": {
            "vpc_cidr": vpc_cidr,
            "allocated_date": today,
            "notes": "allocated by clientctl client add",
        },
        "eks": {"enabled": True},
        "compute": {"analytics_enabled": False},
        "storage": {"enable_dedicated_buckets": False, "backup_retention_days": 30},
        "database": {"enabled": True},
        "security": {"database_ports": [5432], "custom_ports": []},
        "vpn": {"enabled": False},
        "metadata": {
            "full_name": request.full_name or request.name.replace("-", " ").title(),
            "contact_email": request.contact_email,
            "cost_center": request.cost_center or f"CC-{code}",
            "compliance": [],
        },
    }
    for assignment in request.sets:
        apply_set(document, assignment)
    metadata = document.get("metadata")
    # A --set that replaced metadata with something else is reported by validation, field by field.
    if isinstance(metadata, dict) and metadata.get("contact_email") is None:
        raise ConfigError(
            "a contact email is required for a new client",
            hint="pass --contact-email ops@example.com (or --set metadata.contact_email=...)",
        )
    return document


def client_text(document: dict[str, Any]) -> str:
    """A new client file's text: a short header, then the document."""
    header = (
        f"# Client {document['name']}: edit freely (comments and key order are kept by clientctl).\n"
        "# Omitted settings come from the tier preset in platform.yaml; see `clientctl client show`.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=110)


def with_client(registry: Registry, client: Client, source: SourceFile) -> Registry:
    """``registry`` with ``client`` (read from ``source``) added or replaced: what a change would make of it."""
    return replace(registry, clients={**registry.clients, client.name: LoadedClient(client, source)})
