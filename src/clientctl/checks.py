"""``clientctl validate``: every offline check, in one place.

Each check takes the loaded registry and returns findings. Later features register theirs here
(:data:`CHECKS`), so ``validate`` stays the one command CI and pre-commit hooks need.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from clientctl.errors import Finding
from clientctl.ipam.ledger import load_ledger
from clientctl.registry.loader import Registry
from clientctl.render.render import drift, version_steps
from clientctl.rules import check_registry


@dataclass
class CheckContext:
    """What a check sees: the registry and the findings of the checks that ran before it."""

    registry: Registry
    earlier: dict[str, list[Finding]] = field(default_factory=dict)

    def failed(self, name: str) -> bool:
        return any(f.level == "error" for f in self.earlier.get(name, []))


Check = Callable[[CheckContext], list[Finding]]


def _registry_rules(ctx: CheckContext) -> list[Finding]:
    registry = ctx.registry
    ledger = load_ledger(registry.ledger_path, registry.ledger_path.name)
    return check_registry(registry, ledger, dt.date.today())


def _render_drift(ctx: CheckContext) -> list[Finding]:
    if "registry" not in ctx.earlier:
        ctx.earlier["registry"] = _registry_rules(ctx)
    if ctx.failed("registry"):
        # Rendering resolves every client; with registry errors there is nothing sound to compare.
        return [
            Finding(
                rule="render.skipped",
                message="not checked: fix the registry errors first",
                level="warning",
            )
        ]
    return version_steps(ctx.registry) + [
        Finding(
            rule="render.drift",
            message="generated file differs from what `clientctl render` would write",
            file=path,
            hint="run `clientctl render` and commit the result (never edit generated files by hand)",
        )
        for path in drift(ctx.registry)
    ]


def _iac(ctx: CheckContext) -> list[Finding]:
    registry = ctx.registry
    # The fast Terraform checks (terraform validate with the stand-ins included); terraform test and checkov
    # (tens of seconds each) run in `clientctl iac check` only.
    from clientctl.iac.check import FAST_CHECKS, default_paths, load_schemas, run_iac_checks
    from clientctl.terraform import binary

    outcomes = run_iac_checks(
        default_paths(registry.root),
        root=registry.root,
        only=FAST_CHECKS,
        terraform=binary.find(root=registry.root),
        checkov=None,
        schemas=load_schemas(),
    )
    return [f for o in outcomes for f in o.findings]


def _isolation(ctx: CheckContext) -> list[Finding]:
    registry = ctx.registry
    from clientctl.iac.check import default_paths, load_schemas
    from clientctl.iac.isolation import check_isolation

    findings, _checked = check_isolation(default_paths(registry.root), root=registry.root, schemas=load_schemas())
    return findings


CHECKS: list[tuple[str, str, Check]] = [
    ("registry", "names, tiers, sizing, ports, CIDRs, subnets, VPN and ASNs", _registry_rules),
    ("render", "generated files match the registry", _render_drift),
    (
        "iac",
        "Terraform fmt, parse, terraform validate, provider schema and wiring (test, checkov: `clientctl iac check`)",
        _iac,
    ),
    ("isolation", "per client: S3 policies, security groups, Route53 and Client tags stay in the client", _isolation),
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
    ctx = CheckContext(registry)
    for name, description, check in CHECKS:
        if only and name not in only:
            continue
        started = time.perf_counter()
        findings = check(ctx)
        ctx.earlier[name] = findings
        runs.append(CheckRun(name, description, findings, time.perf_counter() - started))
    return runs
