"""Changes to the registry: ``client add``, ``client set``, ``cidr move`` and offboarding's removal.

Safe when several run at once: each takes the registry lock, reloads the registry, allocates from what
is on disk at that moment, validates the whole registry with the change in it (:func:`clientctl.rules.check_registry`),
and writes the client file, the ledger and every rendered input as one journaled change
(``registry/journal.py``), so no two clients ever get the same CIDR and nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from clientctl import paths, yamlio
from clientctl.errors import ChecksFailed, ConfigError, Finding, clip
from clientctl.fsutil import file_lock
from clientctl.ipam.allocate import Allocation
from clientctl.ipam.cidr import parse_network
from clientctl.ipam.ledger import Ledger, load_ledger
from clientctl.naming import CLIENT_NAME_MAX
from clientctl.registry import journal
from clientctl.registry.addresses import next_block
from clientctl.registry.edit import ClientRequest, apply_set, build_document, client_text, with_client
from clientctl.registry.loader import Registry, SourceFile, validation_findings
from clientctl.registry.models import CLIENT_NAME_PATTERN, Client
from clientctl.render.render import RenderResult, checked_ledger, expected_files
from clientctl.rules import check_registry, load_registry


@dataclass(frozen=True)
class EditResult:
    path: Path
    text: str
    allocation: Allocation | None
    render: RenderResult | None
    warnings: list[Any]


def recover_registry(root: Path) -> journal.Recovery | None:
    """Complete a registry change that a killed process left half-written (see ``registry/journal.py``)."""
    if not paths.registry_journal_file(root).exists():
        return None
    with file_lock(paths.registry_lock_file(root)):
        return journal.recover(root)


def _commit(
    operation: str, trial: Registry, own: dict[Path, str | None], today: dt.date, ledger: Ledger | None = None
) -> tuple[RenderResult, list[journal.FileChange]]:
    """Write ``own`` files and everything rendered from ``trial`` (with ``ledger``, default: the one on
    disk) as one journaled change, after every registry rule passed on ``trial``."""
    on_disk, warnings = checked_ledger(trial, today)
    generated = expected_files(trial, ledger or on_disk, today)
    changes = journal.stage(trial.root, {**generated, **own})
    journal.apply(trial.root, operation, changes)
    changed = {c.path for c in changes}
    shown = sorted(str(p.relative_to(trial.root)) for p in generated)
    result = RenderResult(
        written=[p for p in shown if p in changed], unchanged=[p for p in shown if p not in changed], warnings=warnings
    )
    return result, changes


def _validated(registry: Registry, path: Path, text: str, today: dt.date) -> tuple[Client, list[Finding]]:
    """Validate ``text`` as the client file at ``path`` inside the whole registry; raise on any error."""
    display = str(path.relative_to(registry.root))
    source = SourceFile(path, display, text)
    try:
        client = Client.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise ConfigError(
            f"the client would be invalid; {display} was not written",
            findings=validation_findings(exc, Client, source),
        ) from None
    if client.name != path.stem:
        raise ConfigError(f"{display}: the name cannot change ({path.stem} -> {client.name})")
    ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
    findings = check_registry(with_client(registry, client, source), ledger, today)
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise ChecksFailed(
            f"the registry would not validate with this change; {display} was not written", findings=errors
        )
    return client, [f for f in findings if f.level == "warning" and f.client == client.name]


def add_client(
    root: Path, request: ClientRequest, *, dry_run: bool = False, today: dt.date | None = None
) -> EditResult:
    today = today or dt.date.today()
    if not re.fullmatch(CLIENT_NAME_PATTERN, request.name) or len(request.name) > CLIENT_NAME_MAX:
        raise ConfigError(
            f"invalid client name {clip(request.name)!r}",
            hint=(
                f"use 1-{CLIENT_NAME_MAX} lower-case letters, digits and single hyphens, starting with a letter "
                "(it becomes the DNS label of the client zone; longer AWS names are shortened, see ADR-002)"
            ),
        )
    with file_lock(paths.registry_lock_file(root)):
        journal.recover(root)
        registry = load_registry(root)
        path = paths.client_file(root, request.name)
        if request.name in registry.clients or path.exists():
            raise ConfigError(
                f"client {request.name!r} already exists ({path.relative_to(root)})",
                hint="edit it with `clientctl client set`, or choose another name",
            )
        ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
        region = request.region or next(iter(registry.platform.regions))
        allocation = None
        if request.vpc_cidr == "auto":
            allocation = next_block(registry, ledger, region, request.prefix_length, today)
            vpc_cidr = str(allocation.cidr)
        else:
            vpc_cidr = request.vpc_cidr
        text = client_text(build_document(registry, request, vpc_cidr, today))
        client, warnings = _validated(registry, path, text, today)
        if dry_run:
            return EditResult(path, text, allocation, None, warnings)
        trial = with_client(registry, client, SourceFile(path, str(path.relative_to(root)), text))
        rendered, _ = _commit(f"client add {request.name}", trial, {path: text}, today)
        return EditResult(path, text, allocation, rendered, warnings)


def set_fields(
    root: Path, name: str, assignments: tuple[str, ...], *, dry_run: bool = False, today: dt.date | None = None
) -> EditResult:
    """Change fields of an existing client file, keeping its comments and key order (ruamel round-trip),
    validate the whole registry with the change, write atomically and render."""
    today = today or dt.date.today()
    if not assignments:
        raise ConfigError("nothing to set", hint="e.g. clientctl client set acme-corp eks.desired_size=3")
    with file_lock(paths.registry_lock_file(root)):
        journal.recover(root)
        registry = load_registry(root)
        loaded = registry.client(name)
        document = yamlio.roundtrip_load(loaded.source.text)
        for assignment in assignments:
            apply_set(document, assignment)
        text = yamlio.roundtrip_dump(document)
        client, warnings = _validated(registry, loaded.source.path, text, today)
        if dry_run:
            return EditResult(loaded.source.path, text, None, None, warnings)
        trial = with_client(registry, client, replace(loaded.source, text=text))
        rendered, _ = _commit(f"client set {name}", trial, {loaded.source.path: text}, today)
        return EditResult(loaded.source.path, text, None, rendered, warnings)


def move_cidr(root: Path, name: str, new_cidr: str, *, dry_run: bool = False) -> EditResult:
    """Move a client to another VPC block deliberately: set ``vpc_cidr`` and record the block its running VPC
    still has in ``network.replaces_vpc_cidr`` (which lets the next apply replace the VPC: the state guard
    ``state.vpc-cidr-change``); render then quarantines the old block in the ledger. A move of a move keeps
    the original block, which is what the VPC still has."""
    model = load_registry(root).client(name).model
    if model.network.vpc_cidr == new_cidr:
        raise ConfigError(f"{name} already has vpc_cidr {new_cidr}", hint="name the block to move to")
    replaced = model.network.replaces_vpc_cidr or model.network.vpc_cidr
    assignments = [f"network.vpc_cidr={new_cidr}", f"network.replaces_vpc_cidr={replaced}"]
    if model.network.cidr_offset is not None:
        assignments.append("network.cidr_offset=null")  # derived from vpc_cidr; the old one would be refused
    if replaced == new_cidr:  # moving back to the block the VPC has: nothing to replace any more
        assignments[1] = "network.replaces_vpc_cidr=null"
    return set_fields(root, name, tuple(assignments), dry_run=dry_run)


def remove_client(root: Path, name: str, cidr: str, region: str, environment: str, today: dt.date) -> RenderResult:
    """Offboarding's registry change, all or nothing: release ``cidr`` into quarantine in the ledger, delete
    ``clients/NAME.yaml`` and render every layer without the client. Idempotent: a rerun after it
    completed changes nothing."""
    with file_lock(paths.registry_lock_file(root)):
        journal.recover(root)
        registry = load_registry(root)
        ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
        days = registry.platform.network.quarantine_days
        ledger = ledger.release(parse_network(cidr), name, region, environment, today, days)
        trial = replace(registry, clients={k: v for k, v in registry.clients.items() if k != name})
        path = paths.client_file(root, name)
        result, _ = _commit(f"offboard {name} (registry)", trial, {path: None}, today, ledger)
        return result
