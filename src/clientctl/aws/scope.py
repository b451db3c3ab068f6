"""Which project/region/environment an AWS command works on: flags first, then platform.yaml.

Also writes each layer's backend.hcl after provisioning, with exactly the bytes `clientctl render` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from clientctl import naming
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

    def buckets(self) -> dict[str, str]:
        """bucket type -> name, observability first and the state bucket last."""
        names = naming.observability_buckets(self.project, self.region, self.environment)
        return {**{k.replace("-", "_"): v for k, v in names.items()}, "backend-state": self.state_bucket}

    @property
    def lock_table(self) -> str:
        return naming.lock_table(self.region_short)


def load_platform(app: HasRegistry) -> Platform | None:
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


def resolve_scope(app: HasRegistry, region: str | None, environment: str | None, project: str | None) -> Scope:
    platform = load_platform(app)
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


def check_backend_files(platform: Platform, root: Any) -> list[tuple[str, str, str]]:
    """Offline: every layer's backend.hcl names the state bucket, key, region and lock table platform.yaml
    implies, and those names are valid. Returns (file, message, hint) per problem."""
    from pathlib import Path

    problems: list[tuple[str, str, str]] = []
    for region, settings in sorted(platform.regions.items()):
        for environment in platform.environments:
            names = [
                naming.state_bucket(platform.project, environment),
                *naming.observability_buckets(platform.project, region, environment).values(),
            ]
            for name in names:
                problem = naming.check_name("s3_bucket", name)
                if problem:
                    problems.append(("platform.yaml", problem, "shorten the project or environment name"))
            table_problem = naming.check_name("dynamodb_table", naming.lock_table(settings.short_name))
            if table_problem:
                problems.append(("platform.yaml", table_problem, "fix regions.*.short_name"))
            for layer in LAYERS:
                rel = f"{naming.layer_dir(region, layer.name, environment)}/{BACKEND_FILE}"
                path = Path(root) / rel
                if not path.is_file():
                    problems.append((rel, "backend.hcl is missing", "run `clientctl render`"))
                    continue
                values = dict(
                    (k.strip(), v.strip().strip('"'))
                    for k, _, v in (line.partition("=") for line in path.read_text(encoding="utf-8").splitlines())
                    if v and not k.lstrip().startswith("#")
                )
                expected = {
                    "bucket": naming.state_bucket(platform.project, environment),
                    "key": naming.state_key(region, layer.name, environment),
                    "region": region,
                }
                if platform.backend.dynamodb_locking:
                    expected["dynamodb_table"] = naming.lock_table(settings.short_name)
                for key, want in expected.items():
                    if values.get(key) != want:
                        problems.append(
                            (
                                rel,
                                f"{key} is {values.get(key)!r}, platform.yaml implies {want!r}",
                                "run `clientctl render` (and `clientctl backend provision` if names changed)",
                            )
                        )
    return problems
