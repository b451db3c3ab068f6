"""Every name clientctl and the Terraform layers use, derived from platform settings and the client.

This is the only place a name is spelled out (docs/adr/ADR-002); the runbook's disagreeing names
(state bucket, lock table, DNS zone, observability bucket patterns) are made consistent here. Each
derived name carries the AWS limit it must respect, so validation can reject a client whose name would
break one of them before anything is created.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

OBSERVABILITY_TYPES: tuple[str, ...] = ("logs", "traces", "metrics", "audit-logs")
#: Kubernetes namespace of a client's observability stack (the default of modules/observability-per-client's
#: ``namespace``; tests/workflows/test_manual_commands.py keeps the two equal).
OBSERVABILITY_NAMESPACE = "observability"

# IRSA service accounts that get their own IAM role per cluster (layers 02, 05 and 06).
IRSA_SERVICES: tuple[str, ...] = (
    "ebs-csi-driver",
    "cluster-autoscaler",
    "aws-load-balancer-controller",
    "external-dns",
    "loki",
    "tempo",
    "prometheus",
    "fluent-bit",
)

_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IAM_ROLE = re.compile(r"^[\w+=,.@-]{1,64}$")
_IAM_USER = re.compile(r"^[\w+=,.@-]{1,64}$")
_EKS_CLUSTER = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_DYNAMODB_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_NODEGROUP = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class NameRule:
    kind: str
    limit: int
    pattern: re.Pattern[str]
    source: str


RULES: dict[str, NameRule] = {
    "s3_bucket": NameRule("S3 bucket name", 63, _S3_BUCKET, "S3 bucket naming rules: 3-63 chars, a-z 0-9 . -"),
    "iam_role": NameRule("IAM role name", 64, _IAM_ROLE, "IAM quotas: role names up to 64 characters"),
    "iam_user": NameRule("IAM user name", 64, _IAM_USER, "IAM quotas: user names up to 64 characters"),
    "eks_cluster": NameRule("EKS cluster name", 100, _EKS_CLUSTER, "EKS CreateCluster: 1-100 chars"),
    "dns_label": NameRule("DNS label", 63, _DNS_LABEL, "RFC 1035/1123: a label is 1-63 chars"),
    "dynamodb_table": NameRule("DynamoDB table name", 255, _DYNAMODB_TABLE, "DynamoDB naming rules"),
    "eks_nodegroup": NameRule("EKS node group name", 63, _NODEGROUP, "EKS CreateNodegroup: 1-63 chars"),
    "dns_name": NameRule("DNS name", 253, re.compile(r"^[a-z0-9.-]{1,253}$"), "RFC 1035: a name is at most 253 chars"),
}


#: The longest client name the registry accepts: the client name is the DNS label of its zone
#: (``<client>.<parent zone>``), 63 characters at most (RFC 1035). Every longer derived name is shortened
#: by :func:`fit`, so no AWS limit lowers this (docs/adr/ADR-002).
CLIENT_NAME_MAX = 63
#: Length of the hash :func:`fit` appends: 8 hex digits, 32 bits; a clash needs two names with the same
#: readable head, which a registry of thousands of clients makes unlikely (and validation would reject).
HASH_LENGTH = 8


def fit(name: str, limit: int) -> str:
    """``name`` when it fits ``limit``, else a readable head, ``-`` and a hash of the whole name.

    Deterministic (the same inputs always give the same name, so a plan never replaces a resource for
    it) and unique in practice, as terraform-aws-modules and cloudposse/terraform-null-label do for IAM
    and ELB names: ``new-client-name-production-us-east-2-aws-load-balancer-controller`` (65) becomes
    ``new-client-name-production-us-east-2-aws-load-balancer-c-1f0c2a9d`` (64). Names that fit are left
    exactly as they are, so no existing client's resources are renamed.
    """
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_LENGTH]
    head = name[: limit - HASH_LENGTH - 1].rstrip("-_.")
    return f"{head}-{digest}"


def state_bucket(project: str, environment: str) -> str:
    return f"{project}-terraform-state-{environment}"


def lock_table(region_short: str) -> str:
    return f"terraform-locks-{region_short}"


def observability_bucket(project: str, region: str, kind: str, environment: str) -> str:
    if kind not in OBSERVABILITY_TYPES:
        raise ValueError(f"unknown observability bucket type {kind!r}")
    return f"{project}-{region}-{kind}-{environment}"


def observability_buckets(project: str, region: str, environment: str) -> dict[str, str]:
    return {kind: observability_bucket(project, region, kind, environment) for kind in OBSERVABILITY_TYPES}


def observability_prefix(kind: str, client: str) -> str:
    """Object prefix of one client inside a shared observability bucket."""
    return f"{kind}/client={client}/"


def state_key(region: str, layer: str, environment: str) -> str:
    """The runbook's state key of a layer (backend.hcl ``key``)."""
    return f"providers/aws/regions/{region}/layers/{layer}/{environment}/terraform.tfstate"


WORKSPACE_KEY_PREFIX = "env:"  # Terraform's S3 backend default


def client_state_key(region: str, layer: str, environment: str, client: str) -> str:
    """Where the S3 backend stores one client's state: the workspace is the client name."""
    return f"{WORKSPACE_KEY_PREFIX}/{client}/{state_key(region, layer, environment)}"


def layer_dir(region: str, layer: str, environment: str) -> str:
    return f"providers/aws/regions/{region}/layers/{layer}/{environment}"


@dataclass(frozen=True)
class ClientNames:
    """All names of one client's resources."""

    client: str
    environment: str
    region: str
    project: str
    parent_zone: str

    @property
    def prefix(self) -> str:
        return f"{self.client}-{self.environment}"

    @property
    def vpc(self) -> str:
        return f"{self.prefix}-vpc"

    def subnet(self, tier: str, az: str) -> str:
        return f"{self.prefix}-{tier}-{az}"

    def nat_gateway(self, az: str) -> str:
        return f"{self.prefix}-nat-{az}"

    @property
    def cluster(self) -> str:
        return fit(f"{self.prefix}-{self.region}", RULES["eks_cluster"].limit)

    @property
    def node_group(self) -> str:
        return fit(f"{self.prefix}-nodes", RULES["eks_nodegroup"].limit)

    @property
    def dns_zone(self) -> str:
        return f"{self.client}.{self.parent_zone}"

    @property
    def kubectl_context(self) -> str:
        return self.client

    def iam_role(self, purpose: str) -> str:
        return fit(f"{self.cluster}-{purpose}", RULES["iam_role"].limit)

    @property
    def iam_roles(self) -> dict[str, str]:
        roles = {purpose: self.iam_role(purpose) for purpose in ("cluster", "node", *IRSA_SERVICES)}
        limit = RULES["iam_role"].limit
        roles["postgres"] = fit(f"{self.prefix}-postgres", limit)
        roles["analytics"] = fit(f"{self.prefix}-analytics", limit)
        roles["vpc_flow_logs"] = fit(f"{self.prefix}-vpc-flow-logs", limit)
        # Data Lifecycle Manager (PostgreSQL snapshots)
        roles["postgres_dlm"] = fit(f"{self.prefix}-postgres-dlm", limit)
        return roles

    def secret(self, purpose: str) -> str:
        """Secrets Manager name (docs/adr/ADR-010: one secret per client and role)."""
        return f"{self.project}/{self.environment}/{self.client}/{purpose}"

    @property
    def secrets(self) -> dict[str, str]:
        purposes = (
            "postgres-superuser",
            "postgres-replication",
            "grafana-admin",
            "alertmanager-slack-webhook",
            # SES SMTP password of the alertmanager-smtp IAM user (layer 05 writes it, layer 06 reads it)
            "alertmanager-smtp",
        )
        return {p: self.secret(p) for p in purposes}

    @property
    def iam_users(self) -> dict[str, str]:
        """IAM users (long-term keys only where AWS offers nothing else: SES SMTP credentials are derived from
        an IAM user's secret access key, docs/terraform.md "Alert e-mail through SES")."""
        return {"alertmanager-smtp": fit(f"{self.cluster}-alertmanager-smtp", RULES["iam_user"].limit)}

    @property
    def email_senders(self) -> dict[str, str]:
        """Sender addresses in the client zone (SES verifies the zone as a domain identity in layer 05)."""
        return {"alertmanager": f"alertmanager@{self.dns_zone}"}

    @property
    def log_groups(self) -> dict[str, str]:
        return {
            "vpc_flow_logs": f"/aws/vpc/{self.vpc}/flow-logs",
            "eks_cluster": f"/aws/eks/{self.cluster}/cluster",
            "postgres": f"/clientctl/{self.prefix}/postgres",
            "analytics": f"/clientctl/{self.prefix}/analytics",
        }

    @property
    def kms_aliases(self) -> dict[str, str]:
        """KMS alias of every client key."""
        return {
            "vpc_flow_logs": f"alias/{self.prefix}-vpc-flow-logs",
            "eks": f"alias/{self.cluster}-eks",
            "postgres": f"alias/{self.prefix}-postgres",
            "analytics": f"alias/{self.prefix}-analytics",
            "alertmanager_smtp": f"alias/{self.cluster}-alertmanager-smtp",
        }

    def route_tables(self, azs: list[str]) -> dict[str, object]:
        """One public route table; one private and one EKS route table per AZ."""
        return {
            "public": f"{self.prefix}-public",
            "private": {az: f"{self.prefix}-private-{az}" for az in azs},
            "eks": {az: f"{self.prefix}-eks-{az}" for az in azs},
        }

    @property
    def internet_gateway(self) -> str:
        return f"{self.prefix}-igw"

    @property
    def security_groups(self) -> dict[str, str]:
        """eks, database, compute (layer 01), postgres (layer 03), analytics (layer 04)."""
        return {
            purpose: f"{self.prefix}-{purpose}" for purpose in ("eks", "database", "compute", "postgres", "analytics")
        }

    @property
    def vpn(self) -> dict[str, str]:
        return {
            "customer_gateway": f"{self.prefix}-cgw",
            "vpn_gateway": f"{self.prefix}-vgw",
            "connection": f"{self.prefix}-vpn",
        }

    @property
    def resource_prefixes(self) -> dict[str, str]:
        """Base of the names of a component's many small parts: instance, volume and rule ``Name`` tags and
        CloudWatch alarm names append a fixed suffix (``-master``, ``-master-cpu``, ``-data``)."""
        return {"postgres": f"{self.prefix}-postgres", "analytics": f"{self.prefix}-analytics"}

    @property
    def snapshot_target_tags(self) -> dict[str, str]:
        """Value of the ``SnapshotPolicy`` tag a DLM policy selects volumes by (unique per client: DLM ORs tags)."""
        return {"postgres": f"{self.prefix}-postgres"}

    def as_dict(self, azs: list[str]) -> dict[str, object]:
        return {
            "prefix": self.prefix,
            "vpc": self.vpc,
            "subnets": {tier: {az: self.subnet(tier, az) for az in azs} for tier in ("public", "private", "eks")},
            "nat_gateways": {az: self.nat_gateway(az) for az in azs},
            "cluster": self.cluster,
            "node_group": self.node_group,
            "dns_zone": self.dns_zone,
            "kubectl_context": self.kubectl_context,
            "iam_roles": self.iam_roles,
            "secrets": self.secrets,
            "iam_users": self.iam_users,
            "email_senders": self.email_senders,
            "log_groups": self.log_groups,
            "kms_aliases": self.kms_aliases,
            "route_tables": self.route_tables(azs),
            "internet_gateway": self.internet_gateway,
            "security_groups": self.security_groups,
            "vpn": self.vpn,
            "resource_prefixes": self.resource_prefixes,
            "snapshot_target_tags": self.snapshot_target_tags,
            "observability_prefixes": {
                kind.replace("-", "_"): observability_prefix(kind, self.client) for kind in OBSERVABILITY_TYPES
            },
        }

    def checked_names(self) -> list[tuple[str, str, str]]:
        """(description, rule id, name) of every name with an AWS limit."""
        names: list[tuple[str, str, str]] = [
            ("EKS cluster", "eks_cluster", self.cluster),
            ("EKS node group", "eks_nodegroup", self.node_group),
            ("DNS label of the client zone", "dns_label", self.client),
            ("client DNS zone", "dns_name", self.dns_zone),
        ]
        names += [(f"IAM role '{p}'", "iam_role", n) for p, n in self.iam_roles.items()]
        names += [(f"IAM user '{p}'", "iam_user", n) for p, n in self.iam_users.items()]
        return names


def tags(
    *,
    client: str,
    client_code: str,
    cost_center: str,
    environment: str,
    tier: str,
    managed_by: str,
    compliance: list[str],
    project: str,
    layer: str | None = None,
) -> dict[str, str]:
    """Tags carried by every resource of a client (provider default_tags in each layer)."""
    result = {
        "Client": client,
        "ClientCode": client_code,
        "CostCenter": cost_center,
        "Environment": environment,
        "Tier": tier,
        "ManagedBy": managed_by,
        "Project": project,
        # Tag values cannot hold commas in every service; space is allowed everywhere.
        "Compliance": " ".join(compliance) if compliance else "none",
    }
    if layer is not None:
        result["Layer"] = layer
    return result


def check_name(rule_id: str, name: str) -> str | None:
    """Return why ``name`` breaks its AWS rule, or None when it is fine."""
    rule = RULES[rule_id]
    if len(name) > rule.limit:
        return f"{rule.kind} {name!r} is {len(name)} characters; the limit is {rule.limit} ({rule.source})"
    if not rule.pattern.match(name):
        return f"{rule.kind} {name!r} has characters or a form that AWS rejects ({rule.source})"
    if rule_id == "s3_bucket" and (".." in name or name.startswith("xn--") or name.endswith("-s3alias")):
        return f"{rule.kind} {name!r} uses a reserved form ({rule.source})"
    return None
