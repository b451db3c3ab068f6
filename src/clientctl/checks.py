"""``clientctl validate``: every offline check, in one place.

Each check takes the loaded registry and returns findings. Later features register theirs here
(:data:`CHECKS`), so ``validate`` stays the one command CI and pre-commit hooks need.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from clientctl.errors import Finding
from clientctl.ipam.ledger import load_ledger
from clientctl.ipam.rules import check_registry
from clientctl.registry.loader import Registry
from clientctl.render.render import drift

Check = Callable[[Registry], list[Finding]]


def _registry_rules(registry: Registry) -> list[Finding]:
    ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
    return check_registry(registry, ledger, dt.date.today())


def _render_drift(registry: Registry) -> list[Finding]:
    return [
        Finding(
            rule="render.drift",
            message="generated file differs from what `clientctl render` would write",
            file=path,
            hint="run `clientctl render` and commit the result (never edit generated files by hand)",
        )
        for path in drift(registry)
    ]


def _backend_files(registry: Registry) -> list[Finding]:
    from clientctl.aws.scope import check_backend_files

    return [
        Finding(rule="backend.consistency", message=message, file=file, hint=hint)
        for file, message, hint in check_backend_files(registry.platform, registry.root)
    ]


CHECKS: list[tuple[str, str, Check]] = [
    ("registry", "names, tiers, sizing, ports, CIDRs, subnets, VPN and ASNs", _registry_rules),
    ("render", "generated files match the registry", _render_drift),
    ("backend", "backend.hcl of every layer matches platform.yaml; backend names are valid", _backend_files),
]


@dataclass(frozen=True)
class CheckRun:
    name: str
    description: str
    findings: list[Finding]
    seconds: float

    @property
    def ok(self) -> bool:
        return not any(f.level == "error" for f in self.findings)


def run_checks(registry: Registry, only: set[str] | None = None) -> list[CheckRun]:
    runs = []
    for name, description, check in CHECKS:
        if only and name not in only:
            continue
        started = time.perf_counter()
        findings = check(registry)
        runs.append(CheckRun(name, description, findings, time.perf_counter() - started))
    return runs
