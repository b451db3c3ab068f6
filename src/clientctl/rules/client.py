"""One client's settings: references into platform.yaml, its code, derived names, node group sizes and ports."""

from __future__ import annotations

from collections import defaultdict

from clientctl import naming
from clientctl.registry.loader import LoadedClient
from clientctl.registry.models import Platform
from clientctl.registry.resolve import client_names
from clientctl.rules.catalog import Report, declare

TIER = declare("registry.tier", "the client's tier is defined in platform.yaml", source="reference exists")
REGION = declare(
    "registry.region", "the client's region is under 'regions' in platform.yaml", source="reference exists"
)
ENVIRONMENT = declare(
    "registry.environment", "the client's environment is listed in platform.yaml", source="reference exists"
)
CODE_DUPLICATE = declare(
    "registry.client-code-duplicate",
    "no two clients share a client_code",
    source="client codes appear in tags and cost reports",
    hint="client codes appear in tags and cost reports; give each client its own",
)
NAME_LIMIT = declare(
    "naming.limit",
    "every derived name within its AWS limit: IAM role 64, EKS cluster 100, node group 63, DNS label 63, "
    "DNS name 253, S3 bucket 63, DynamoDB table 255",
    source="the AWS limits in clientctl/naming.py (ADR-002)",
)
EKS_SIZING = declare(
    "eks.sizing",
    "min_size <= desired_size <= max_size after tier defaults",
    source="EKS CreateNodegroup scalingConfig",
    hint="adjust eks.min_size, eks.desired_size or eks.max_size",
)
PORT_DUPLICATE = declare(
    "security.port-duplicate",
    "each port is listed once across security.database_ports and security.custom_ports",
    source="one security group rule per port",
    hint="list each port once",
)
DATABASE_PORT = declare(
    "security.database-port",
    "an enabled database lists a database port",
    source="the database security group opens these ports",
    hint="add e.g. 5432",
)


def check_references(report: Report, platform: Platform, client: LoadedClient) -> None:
    """The tier, region and environment a client names exist in platform.yaml."""
    m = client.model
    for rule, field, value, known, where, alternative in (
        (TIER, "tier", m.tier, list(platform.tiers), "is not defined in platform.yaml", ""),
        (
            REGION,
            "region",
            m.region,
            list(platform.regions),
            "is not under 'regions' in platform.yaml",
            ", or add the region",
        ),
        (ENVIRONMENT, "environment", m.environment, platform.environments, "is not listed in platform.yaml", ""),
    ):
        if value not in known:
            report.on(
                client,
                rule,
                [field],
                f"{field} {value!r} {where}",
                value=value,
                hint=f"use one of: {', '.join(known)}{alternative}",
            )


def check_unique_codes(report: Report, clients: list[LoadedClient]) -> None:
    """No two clients share a client code."""
    by_code: dict[str, list[LoadedClient]] = defaultdict(list)
    for client in clients:
        by_code[client.model.client_code].append(client)
    for code, holders in by_code.items():
        if len(holders) > 1:
            names = ", ".join(h.name for h in holders)
            for holder in holders:
                report.on(
                    holder,
                    CODE_DUPLICATE,
                    ["client_code"],
                    f"client_code {code!r} is used by {len(holders)} clients ({names})",
                    value=code,
                )


def check_names(report: Report, platform: Platform, client: LoadedClient) -> None:
    """Every AWS name derived from the client's name keeps to its AWS rule (naming.py)."""
    names = client_names(platform, client.model)
    for description, rule_id, name in names.checked_names():
        problem = naming.check_name(rule_id, name)
        if problem:
            spare = naming.RULES[rule_id].limit - len(name)
            hint = (
                f"shorten the client name by at least {-spare} character(s)"
                if spare < 0
                else "use lower-case letters, digits and single hyphens"
            )
            report.on(
                client,
                NAME_LIMIT,
                ["name"],
                f"the derived {description} breaks an AWS rule: {problem}",
                value=client.name,
                hint=hint,
            )


def check_sizing(report: Report, platform: Platform, client: LoadedClient) -> None:
    """Node group sizes are ordered after the tier's defaults (a volume's size is a schema rule)."""
    m = client.model
    tier = platform.tiers.get(m.tier)
    if tier is None:
        return
    eks = m.eks
    lo = eks.min_size if eks.min_size is not None else tier.eks.min_size
    hi = eks.max_size if eks.max_size is not None else tier.eks.max_size
    want = eks.desired_size if eks.desired_size is not None else tier.eks.desired_size
    if not lo <= want <= hi:
        report.on(
            client,
            EKS_SIZING,
            ["eks"],
            f"node group sizes must satisfy min_size <= desired_size <= max_size; got min {lo}, "
            f"desired {want}, max {hi} (after tier '{m.tier}' defaults)",
        )


def check_ports(report: Report, client: LoadedClient) -> None:
    """Each port is listed once, and an enabled database has a port."""
    sec = client.model.security
    seen: dict[int, str] = {}
    for list_name in ("database_ports", "custom_ports"):
        for i, port in enumerate(getattr(sec, list_name)):
            if port in seen:
                report.on(
                    client,
                    PORT_DUPLICATE,
                    ["security", list_name, i],
                    f"port {port} is listed twice (also in security.{seen[port]})",
                    value=port,
                )
            else:
                seen[port] = list_name
    if not sec.database_ports and client.model.database.enabled:
        report.on(
            client,
            DATABASE_PORT,
            ["security", "database_ports"],
            "the database is enabled but no database port is listed",
        )
