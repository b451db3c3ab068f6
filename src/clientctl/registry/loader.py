"""Read ``platform.yaml`` and ``clients/*.yaml`` into a :class:`Registry`, schema-checked.

Every file is read and checked before anything is reported, so one run shows every schema problem of
every file (file, line, field path, value, rule, hint) instead of stopping at the first. The rules that
judge what the files say (pools, overlaps, VPNs ...) are in :mod:`clientctl.rules`; commands load the
registry with :func:`clientctl.rules.load_registry`, which reads it here and holds platform.yaml to its rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from clientctl import yamlio
from clientctl.errors import ConfigError, Finding, rel
from clientctl.paths import CLIENTS_DIR, LEDGER_FILE, PLATFORM_FILE
from clientctl.registry.models import Client, Platform


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str
    text: str

    def line(self, path: Sequence[str | int]) -> int | None:
        return yamlio.line_of(self.text, path)


@dataclass(frozen=True)
class LoadedClient:
    model: Client
    source: SourceFile

    @property
    def name(self) -> str:
        return self.model.name


@dataclass
class Registry:
    root: Path
    platform: Platform
    platform_source: SourceFile
    clients: dict[str, LoadedClient] = field(default_factory=dict)

    @property
    def clients_dir(self) -> Path:
        return self.root / CLIENTS_DIR

    @property
    def ledger_path(self) -> Path:
        return self.root / LEDGER_FILE

    def client(self, name: str) -> LoadedClient:
        try:
            return self.clients[name]
        except KeyError:
            known = ", ".join(sorted(self.clients)) or "none"
            close = difflib.get_close_matches(name, list(self.clients), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known clients: {known}"
            raise ConfigError(f"unknown client {name!r}", hint=hint) from None

    def finding(self, source: SourceFile, path: Sequence[str | int], **kwargs: Any) -> Finding:
        """A finding located at ``path`` inside ``source`` (file and line filled in)."""
        return Finding(
            file=source.display,
            line=source.line(path),
            field=".".join(str(p) for p in path) or None,
            **kwargs,
        )


def find_root(start: Path) -> Path:
    """The repository root: the nearest folder at or above ``start`` holding platform.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PLATFORM_FILE).is_file():
            return folder
    raise ConfigError(
        f"no {PLATFORM_FILE} found in {start} or any parent folder",
        hint="run clientctl inside the repository, or pass --root DIR pointing at the folder with platform.yaml",
    )


def _field_names(model: type[BaseModel], path: Sequence[str | int]) -> list[str]:
    """Field names allowed at ``path`` inside ``model`` (for 'did you mean' suggestions)."""
    current: Any = model
    for part in path:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        current = _model_of(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None


_RULE_HINTS = {
    "missing": "add this key",
    "string_type": "quote the value or write text",
    "int_type": "write a whole number without quotes",
    "bool_type": "write true or false without quotes",
    "list_type": "write a YAML list, e.g. [a, b] or one '- item' per line",
    "dict_type": "write a mapping of keys",
    "string_pattern_mismatch": "see the allowed form in the message",
    "literal_error": "use one of the allowed values",
}


#: What to write for a required key whose absence needs more than "add this key".
_MISSING_HINTS = {
    "network.management_cidrs": "add network.management_cidrs: the operators' egress CIDRs that may reach the EKS "
    "public API endpoints (office NAT, VPN, CI runners), e.g. [198.51.100.0/24]; never 0.0.0.0/0",
}


def validation_findings(exc: ValidationError, model: type[BaseModel], source: SourceFile) -> list[Finding]:
    findings: list[Finding] = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if isinstance(p, str | int)]
        kind = err["type"]
        hint = _RULE_HINTS.get(kind)
        message = err["msg"]
        value = err.get("input")
        if kind == "extra_forbidden":
            parent, key = loc[:-1], str(loc[-1])
            allowed = _field_names(model, parent)
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            message = f"unknown key {key!r}"
            hint = (f"did you mean {close[0]!r}? " if close else "") + (
                f"allowed keys here: {', '.join(allowed)}" if allowed else "remove it"
            )
            value = None
        elif kind == "missing":
            message = f"required key {str(loc[-1])!r} is missing"
            value = None
            hint = _MISSING_HINTS.get(".".join(str(p) for p in loc), hint)
        elif kind == "string_pattern_mismatch":
            pattern = (err.get("ctx") or {}).get("pattern", "")
            message = f"value does not have the required form (pattern {pattern})"
        shown = None if value is None or isinstance(value, dict | list) else str(value)
        findings.append(
            Finding(
                rule=f"schema.{kind}",
                message=message,
                file=source.display,
                line=source.line(loc),
                field=".".join(str(p) for p in loc),
                value=shown,
                hint=hint,
            )
        )
    return findings


def read_platform(root: Path) -> tuple[Platform, SourceFile]:
    path = root / PLATFORM_FILE
    if not path.is_file():
        raise ConfigError(
            f"{rel(path, root)}: file not found",
            hint="every repository needs a platform.yaml; copy the one from the README's example",
        )
    return read_platform_text(yamlio.read_text(path, rel(path, root)), path, root)


def read_platform_text(text: str, path: Path, root: Path) -> tuple[Platform, SourceFile]:
    """``platform.yaml`` from its text (e.g. as it is at a git revision), checked as :func:`read_platform` does."""
    source = SourceFile(path, rel(path, root), text)
    data = yamlio.parse_mapping(text, source.display)
    try:
        platform = Platform.model_validate(data)
    except ValidationError as exc:
        findings = validation_findings(exc, Platform, source)
        raise ConfigError(f"{source.display}: invalid platform settings", findings=findings) from None
    return platform, source


def read_registry(root: Path, platform_file: tuple[Platform, SourceFile] | None = None) -> Registry:
    """Read and schema-check every registry file (``platform_file``: platform.yaml as already read). Raises
    :class:`ConfigError` listing every problem. The platform's rules are :func:`clientctl.rules.load_registry`'s."""
    platform, platform_source = platform_file or read_platform(root)
    registry = Registry(root=root, platform=platform, platform_source=platform_source)
    findings: list[Finding] = []
    clients_dir = root / CLIENTS_DIR
    paths = sorted(clients_dir.glob("*.yaml")) if clients_dir.is_dir() else []
    stray = sorted(clients_dir.glob("*.yml")) if clients_dir.is_dir() else []
    for path in stray:
        findings.append(
            Finding(
                rule="registry.file-name",
                message="client files end in .yaml; this one would be ignored",
                file=rel(path, root),
                hint=f"rename it to {path.stem}.yaml",
            )
        )
    for path in paths:
        loaded, problems = read_client_file(path, root)
        findings += problems
        if loaded is not None:
            registry.clients[loaded.name] = loaded
    if findings:
        raise ConfigError(f"{len(findings)} problem(s) in the client registry", findings=findings)
    return registry


def read_client_file(path: Path, root: Path) -> tuple[LoadedClient | None, list[Finding]]:
    """One ``clients/<name>.yaml``, schema-checked: the client, or None and the findings that say why."""
    try:
        text = yamlio.read_text(path, rel(path, root))
    except ConfigError as exc:
        return None, [Finding(rule="registry.yaml", message=exc.message, file=rel(path, root), hint=exc.hint)]
    return client_from_text(text, path, root)


def client_from_text(text: str, path: Path, root: Path) -> tuple[LoadedClient | None, list[Finding]]:
    """A client file from its text (e.g. as it is at a git revision), checked as :func:`read_client_file` does."""
    source = SourceFile(path, rel(path, root), text)
    try:
        data = yamlio.parse_mapping(text, source.display)
    except ConfigError as exc:
        return None, [Finding(rule="registry.yaml", message=exc.message, file=source.display, hint=exc.hint)]
    try:
        client = Client.model_validate(data)
    except ValidationError as exc:
        return None, validation_findings(exc, Client, source)
    if client.name != path.stem:
        return None, [
            Finding(
                rule="registry.file-name",
                message=f"the file is named {path.name} but declares name {client.name!r}",
                file=source.display,
                line=source.line(["name"]),
                field="name",
                value=client.name,
                hint=f"rename the file to {client.name}.yaml or set name: {path.stem}",
            )
        ]
    return LoadedClient(client, source), []
