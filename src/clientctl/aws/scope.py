"""Which project/region/environment an AWS command works on: flags first, then platform.yaml.

Also writes each layer's backend.hcl after provisioning, with exactly the bytes `clientctl render` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from clientctl import naming
from clientctl.aws.backend import BackendSpec, desired_spec
from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write
from clientctl.layers import LAYERS
from clientctl.registry.models import BackendSettings, ObservabilityStorage, Platform
from clientctl.render.render import BACKEND_FILE, backend_hcl


class HasRegistry(Protocol):
    def registry(self) -> Any: ...


@dataclass(frozen=True)
class Scope:
    project: str
    region: str
    environment: str
    region_short: str
    storage: ObservabilityStorage = field(default_factory=ObservabilityStorage)
    backend: BackendSettings = field(default_factory=BackendSettings)
    managed_by: str = "clientctl"
    platform: Platform | None = None

    @property
    def state_bucket(self) -> str:
        return naming.state_bucket(self.project, self.environment)

    def spec(self, *, include_backend: bool = True, include_observability: bool = True) -> BackendSpec:
        """What `backend provision` creates for this scope (and what audits compare against)."""
        return desired_spec(
            project=self.project,
            region=self.region,
            environment=self.environment,
            region_short=self.region_short,
            storage=self.storage,
            backend=self.backend,
            managed_by=self.managed_by,
            include_backend=include_backend,
            include_observability=include_observability,
        )

    def buckets(self) -> dict[str, str]:
        """bucket type -> name, observability first and the state bucket last."""
        names = naming.observability_buckets(self.project, self.region, self.environment)
        return {**{k.replace("-", "_"): v for k, v in names.items()}, "backend-state": self.state_bucket}

    @property
    def lock_table(self) -> str:
        return naming.lock_table(self.region_short)


def platform_if_any(app: HasRegistry) -> Platform | None:
    """The registry's platform settings, or None in a folder without platform.yaml (a bare backend scope)."""
    try:
        return app.registry().platform  # type: ignore[no-any-return]
    except ConfigError as exc:
        if "no platform.yaml" in exc.message:
            return None
        raise


def _only(options: list[str], what: str, flag: str) -> str:
    if len(options) == 1:
        return options[0]
    raise ConfigError(
        f"{flag} is required: platform.yaml has {len(options)} {what} ({', '.join(options)})", hint=f"pass {flag}"
    )


def resolve_scope(
    app: HasRegistry,
    region: str | None,
    environment: str | None,
    project: str | None,
    *,
    ignore_registry: bool = False,
) -> Scope:
    """The project/region/environment a command works on. Outside a repository the flags are the whole
    truth (as in the runbook's scripts); inside one, a value platform.yaml does not know is an error unless
    ``ignore_registry`` (issue 13.2: ``--project-name foo-02`` planned to "repair" the shared lock table)."""
    platform = platform_if_any(app)
    if platform is not None and not ignore_registry:
        _refuse_contradictions(platform, region, environment, project)
    if platform is None:
        missing = [
            f for f, v in (("--region", region), ("--environment", environment), ("--project-name", project)) if not v
        ]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} required outside a repository (no platform.yaml found)",
                hint="pass them, or run inside the repository / with --root",
            )
        assert region and environment and project
        return Scope(project, region, environment, _region_short(region))
    region = region or _only(sorted(platform.regions), "regions", "--region")
    environment = environment or _only(list(platform.environments), "environments", "--environment")
    project = project or platform.project
    short = platform.regions[region].short_name if region in platform.regions else _region_short(region)
    return Scope(
        project,
        region,
        environment,
        short,
        platform.observability_storage,
        platform.backend,
        platform.managed_by,
        platform,
    )


def _refuse_contradictions(
    platform: Platform, region: str | None, environment: str | None, project: str | None
) -> None:
    problems = []
    if project is not None and project != platform.project:
        problems.append(f"--project-name {project} (platform.yaml: project {platform.project})")
    if region is not None and region not in platform.regions:
        problems.append(f"region {region} (platform.yaml regions: {', '.join(sorted(platform.regions))})")
    if environment is not None and environment not in platform.environments:
        problems.append(f"--environment {environment} (platform.yaml environments: {', '.join(platform.environments)})")
    if problems:
        raise ConfigError(
            "these values contradict platform.yaml: " + "; ".join(problems),
            hint="fix the flag (or AWS_REGION/--region), or pass --ignore-registry to act on a scope outside this "
            "repository's registry",
        )


def _region_short(region: str) -> str:
    """us-east-2 -> us-east (the runbook's lock-table suffix) when platform.yaml does not say."""
    parts = region.split("-")
    return "-".join(parts[:-1]) if len(parts) > 2 and parts[-1].isdigit() else region


def write_backend_files(app: HasRegistry, scope: Scope, *, dry_run: bool = False) -> dict[str, Any]:
    """Write/refresh backend.hcl of every layer of the scope, identical to what `clientctl render` writes."""
    platform = scope.platform
    if platform is None:
        return {"skipped": "no platform.yaml: backend.hcl files are written by `clientctl render` in a repository"}
    if (
        scope.project != platform.project
        or scope.region not in platform.regions
        or (scope.environment not in platform.environments)
    ):
        return {
            "skipped": f"{scope.project}/{scope.region}/{scope.environment} is not in platform.yaml; "
            "backend.hcl files left alone"
        }
    root = app.registry().root
    written, unchanged = [], []
    for layer in LAYERS:
        path = root / naming.layer_dir(scope.region, layer.name, scope.environment) / BACKEND_FILE
        content = backend_hcl(platform, scope.region, scope.environment, layer.name)
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        shown = str(path.relative_to(root))
        if current == content:
            unchanged.append(shown)
            continue
        if not dry_run:
            atomic_write(path, content)
        written.append(shown)
    return {"written" if not dry_run else "would_write": written, "unchanged": len(unchanged)}
