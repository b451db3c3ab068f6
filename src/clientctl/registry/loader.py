"""Load ``platform.yaml`` and ``clients/*.yaml`` into a :class:`Registry`.

Every file is read and checked before anything is reported, so one run shows every schema problem of
every file (file, line, field path, value, rule, hint) instead of stopping at the first.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from clientctl import naming, yamlio
from clientctl.errors import ConfigError, Finding, rel
from clientctl.ipam.cidr import VPC_FORBIDDEN, CidrError, overlapping_special, parse_network
from clientctl.ipam.overlap import Prefix, find_overlaps
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


def load_platform(root: Path) -> tuple[Platform, SourceFile]:
    path = root / PLATFORM_FILE
    if not path.is_file():
        raise ConfigError(
            f"{rel(path, root)}: file not found",
            hint="every repository needs a platform.yaml; copy the one from the README's example",
        )
    return platform_from_text(yamlio.read_text(path, rel(path, root)), path, root)


def platform_from_text(text: str, path: Path, root: Path) -> tuple[Platform, SourceFile]:
    """``platform.yaml`` from its text (e.g. as it is at a git revision), checked as :func:`load_platform` does."""
    source = SourceFile(path, rel(path, root), text)
    data = yamlio.parse_mapping(text, source.display)
    try:
        platform = Platform.model_validate(data)
    except ValidationError as exc:
        findings = validation_findings(exc, Platform, source)
        raise ConfigError(f"{source.display}: invalid platform settings", findings=findings) from None
    problems = _platform_network_findings(platform, source) + _platform_version_findings(platform, source)
    if problems:
        raise ConfigError(f"{source.display}: invalid platform network settings", findings=problems)
    return platform, source


def _platform_version_findings(platform: Platform, source: SourceFile) -> list[Finding]:
    """versions.kubernetes must have a row in versions.version_matrix (which autoscaler goes with it)."""
    versions = platform.versions
    if versions.kubernetes in versions.version_matrix:
        return []
    known = ", ".join(sorted(versions.version_matrix, key=lambda v: tuple(int(p) for p in v.split(".")))) or "none"
    return [
        Finding(
            rule="platform.kubernetes-version",
            message=f"Kubernetes version {versions.kubernetes} has no row in versions.version_matrix, so no "
            "cluster-autoscaler release is known to match it (the autoscaler's minor must equal the cluster's)",
            file=source.display,
            line=source.line(["versions", "kubernetes"]),
            field="versions.kubernetes",
            value=versions.kubernetes,
            hint=f'use one of {known}, or add versions.version_matrix["{versions.kubernetes}"] with the '
            "cluster-autoscaler chart whose appVersion and image tag are "
            f"{versions.kubernetes}.x (chart: X.Y.Z, image_tag: v{versions.kubernetes}.N)",
        )
    ]


def _platform_network_findings(platform: Platform, source: SourceFile) -> list[Finding]:
    """Platform-level CIDR rules: pools, reserved ranges, service CIDR, management CIDRs."""
    findings: list[Finding] = []

    def bad(path: list[str | int], message: str, value: str, hint: str, rule: str) -> None:
        findings.append(
            Finding(
                rule=rule,
                message=message,
                file=source.display,
                line=source.line(path),
                field=".".join(map(str, path)),
                value=value,
                hint=hint,
            )
        )

    net = platform.network
    pools: list[Prefix[str]] = []
    for i, pool in enumerate(net.pools):
        path: list[str | int] = ["network", "pools", i, "cidr"]
        try:
            pool_net = parse_network(pool.cidr)
        except CidrError as exc:
            bad(
                path,
                str(exc),
                pool.cidr,
                "write the pool as a network address, e.g. 10.64.0.0/10",
                "ipam.format",
            )
            continue
        if pool_net.prefixlen > net.vpc_prefix_length:
            bad(
                path,
                f"pool {pool.name} ({pool_net}) is smaller than one VPC (/{net.vpc_prefix_length})",
                pool.cidr,
                "use a larger pool or a longer network.vpc_prefix_length",
                "ipam.pool-size",
            )
        forbidden = overlapping_special(pool_net, VPC_FORBIDDEN)
        if forbidden:
            bad(
                path,
                f"pool {pool.name} ({pool_net}) overlaps {forbidden.network}, {forbidden.name}",
                pool.cidr,
                "pools must hold addresses a VPC may use",
                "ipam.forbidden-range",
            )
        for region in pool.regions or []:
            if region not in platform.regions:
                bad(
                    ["network", "pools", i, "regions"],
                    f"pool {pool.name} names region {region!r}, which is not under 'regions'",
                    region,
                    f"known regions: {', '.join(platform.regions)}",
                    "platform.unknown-region",
                )
        pools.append(Prefix(pool_net, f"pool {pool.name}"))
    for conflict in find_overlaps(pools):
        bad(
            ["network", "pools"],
            f"{conflict.outer.owner} ({conflict.outer.network}) overlaps {conflict.inner.owner} "
            f"({conflict.inner.network})",
            str(conflict.inner.network),
            "pools must be disjoint so an allocation has exactly one home",
            "ipam.pool-overlap",
        )
    for i, reserved in enumerate(net.reserved):
        try:
            parse_network(reserved.cidr)
        except CidrError as exc:
            bad(
                ["network", "reserved", i, "cidr"],
                str(exc),
                reserved.cidr,
                "fix the reserved range",
                "ipam.format",
            )
    mgmt_nets: list[ipaddress.IPv4Network] = []
    for i, mgmt in enumerate(net.management_cidrs):
        try:
            parsed = parse_network(mgmt)
        except CidrError as exc:
            bad(["network", "management_cidrs", i], str(exc), mgmt, "fix the management CIDR", "ipam.format")
            continue
        if isinstance(parsed, ipaddress.IPv4Network):
            mgmt_nets.append(parsed)
    if mgmt_nets:
        union = list(ipaddress.collapse_addresses(mgmt_nets))
        total = sum(n.num_addresses for n in union)
        shown = ", ".join(net.management_cidrs)
        if union == [ipaddress.IPv4Network("0.0.0.0/0")]:
            bad(
                ["network", "management_cidrs"],
                "the management CIDRs together cover the whole IPv4 space, so the EKS public API endpoint would "
                "be open to the internet",
                shown,
                "list only the operators' egress ranges (office NAT, VPN, CI runners), e.g. [198.51.100.0/24]",
                "platform.management-cidrs-open",
            )
        elif total > net.management_cidrs_max_addresses:
            bad(
                ["network", "management_cidrs"],
                f"the management CIDRs together cover {total} addresses, more than "
                f"network.management_cidrs_max_addresses ({net.management_cidrs_max_addresses})",
                shown,
                "list only the operators' egress ranges, or raise network.management_cidrs_max_addresses deliberately",
                "platform.management-cidrs-too-wide",
            )
    try:
        svc = parse_network(net.eks_service_cidr)
    except CidrError as exc:
        bad(
            ["network", "eks_service_cidr"],
            str(exc),
            net.eks_service_cidr,
            "e.g. 172.20.0.0/16",
            "ipam.format",
        )
    else:
        # KubernetesNetworkConfigRequest.serviceIpv4Cidr: RFC 1918, between /24 and /12 (checklist 17).
        rfc1918 = [ipaddress.IPv4Network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
        if not any(svc.subnet_of(r) for r in rfc1918) or not 12 <= svc.prefixlen <= 24:
            bad(
                ["network", "eks_service_cidr"],
                f"EKS service CIDR {svc} must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 and "
                "between /12 and /24 (EKS KubernetesNetworkConfigRequest)",
                str(svc),
                "e.g. 172.20.0.0/16 for 10.x VPCs",
                "ipam.eks-service-cidr",
            )
        for pool_prefix in pools:
            if svc.overlaps(pool_prefix.network):
                bad(
                    ["network", "eks_service_cidr"],
                    f"EKS service CIDR {svc} overlaps {pool_prefix.owner} ({pool_prefix.network}); service IPs take "
                    "priority over VPC addresses",
                    str(svc),
                    "choose a service range outside every pool",
                    "ipam.eks-service-cidr",
                )
    for region, settings in platform.regions.items():
        for environment in platform.environments:
            names = [("s3_bucket", naming.state_bucket(platform.project, environment))]
            names += [
                ("s3_bucket", b) for b in naming.observability_buckets(platform.project, region, environment).values()
            ]
            names.append(("dynamodb_table", naming.lock_table(settings.short_name)))
            for rule_id, name in names:
                problem = naming.check_name(rule_id, name)
                if problem:
                    bad(
                        ["project"],
                        f"derived name for {region}/{environment}: {problem}",
                        platform.project,
                        "shorten the project, region short name or environment",
                        "naming.limit",
                    )
    layout = net.subnet_layout
    if net.az_count > layout.max_azs:
        bad(
            ["network", "az_count"],
            f"az_count {net.az_count} exceeds subnet_layout.max_azs {layout.max_azs}",
            str(net.az_count),
            "raise max_azs (before any client exists) or lower az_count",
            "ipam.subnet-layout",
        )
    for region, settings in platform.regions.items():
        if net.az_count > len(settings.availability_zones):
            bad(
                ["regions", region, "availability_zones"],
                f"region {region} lists {len(settings.availability_zones)} zones; network.az_count is {net.az_count}",
                str(len(settings.availability_zones)),
                "list more availability zones",
                "platform.azs",
            )
    return findings


def load_registry(root: Path) -> Registry:
    """Load and schema-check every registry file. Raises :class:`ConfigError` listing every problem."""
    platform, platform_source = load_platform(root)
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
        loaded, problems = load_client_file(path, root)
        findings += problems
        if loaded is not None:
            registry.clients[loaded.name] = loaded
    if findings:
        raise ConfigError(f"{len(findings)} problem(s) in the client registry", findings=findings)
    return registry


def load_client_file(path: Path, root: Path) -> tuple[LoadedClient | None, list[Finding]]:
    """One ``clients/<name>.yaml``, schema-checked: the client, or None and the findings that say why."""
    try:
        text = yamlio.read_text(path, rel(path, root))
    except ConfigError as exc:
        return None, [Finding(rule="registry.yaml", message=exc.message, file=rel(path, root), hint=exc.hint)]
    return client_from_text(text, path, root)


def client_from_text(text: str, path: Path, root: Path) -> tuple[LoadedClient | None, list[Finding]]:
    """A client file from its text (e.g. as it is at a git revision), checked as :func:`load_client_file` does."""
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
