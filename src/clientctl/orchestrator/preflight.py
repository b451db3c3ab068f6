"""State guards: the registry checked against what each client's recorded Terraform state says, before a run.

The offline rules (``clientctl validate``) cannot know whether a client was applied; the state bucket does.
Two changes are harmless for a client without state and destructive or impossible for one with it, so
``plan``/``drift`` warn and ``apply`` refuses (exit 2, nothing run) when the state shows them:

* :data:`VPC_CIDR` - ``vpc_cidr`` differs from the ``vpc_cidr`` output of the client's 01-foundation state: a VPC
  CIDR cannot change in place, the apply would replace the VPC and everything in it. ``clientctl cidr move``
  records the replaced block (``network.replaces_vpc_cidr``), which makes that replacement deliberate.
* :data:`KUBERNETES_STEP` - ``versions.kubernetes`` is more than one minor version above the ``cluster_version``
  output of the client's 02-platform state, or below it: EKS upgrades one minor at a time and never down.

Each guard is a declared record (id, layer, summary) in the spirit of checkov's check registry.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from clientctl import naming
from clientctl.aws.state import read_outputs
from clientctl.errors import Finding
from clientctl.orchestrator.graph import Node
from clientctl.registry.loader import Registry
from clientctl.registry.models import ClientNetwork
from clientctl.render.render import kubernetes_step


@dataclass(frozen=True)
class StateGuard:
    id: str
    layer: str  # the layer whose state is read, and whose apply is refused
    output: str  # the root output of that state compared with the registry
    summary: str


VPC_CIDR = StateGuard(
    "state.vpc-cidr-change",
    "01-foundation",
    "vpc_cidr",
    "a client's vpc_cidr differs from the VPC its state records (the apply would replace the VPC)",
)
KUBERNETES_STEP = StateGuard(
    "state.kubernetes-step",
    "02-platform",
    "cluster_version",
    "versions.kubernetes is not the cluster's version or the next minor one",
)
GUARDS: tuple[StateGuard, ...] = (VPC_CIDR, KUBERNETES_STEP)


def _same_network(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return a == b


def _vpc_cidr_problem(
    node: Node, network: ClientNetwork, recorded: str, level: str
) -> tuple[str, str, str, str, str] | None:
    """What the recorded VPC CIDR says of the client's network settings: (field, level, message, value, hint),
    or None when they agree."""
    wanted = network.vpc_cidr
    if _same_network(recorded, wanted):
        if not network.replaces_vpc_cidr:
            return None
        return (
            "replaces_vpc_cidr",
            "warning",
            f"the move to {wanted} is applied; replaces_vpc_cidr is no longer needed",
            network.replaces_vpc_cidr,
            f"clientctl client set {node.client} network.replaces_vpc_cidr=null",
        )
    if network.replaces_vpc_cidr and _same_network(network.replaces_vpc_cidr, recorded):
        return (
            "vpc_cidr",
            "warning",
            f"{node.client}/{node.layer}: replaces the VPC {recorded} with {wanted} (cidr move): every resource in "
            "it is recreated",
            wanted,
            "review the plan of every layer of the client before applying",
        )
    return (
        "vpc_cidr",
        level,
        f"{node.client}: vpc_cidr is {wanted} but its VPC (state of {node.layer}) is {recorded}; "
        "a VPC CIDR cannot change in place, so Terraform would replace the VPC and everything in it",
        wanted,
        f"set vpc_cidr back to {recorded}, or move deliberately: clientctl cidr move {node.client} "
        f"{wanted} (docs/ipam.md 'Moving a client to another CIDR')",
    )


def check_state(
    registry: Registry,
    nodes: Collection[Node],
    s3_for: Callable[[str], Any],
    *,
    action: str,
) -> list[Finding]:
    """Findings of every guard for the selected nodes: errors for ``apply``, warnings otherwise. ``s3_for(region)``
    makes the S3 client of a region; a state that does not exist yet is no finding."""
    if action == "destroy":
        return []
    level = "error" if action == "apply" else "warning"
    platform = registry.platform
    findings: list[Finding] = []
    for node in sorted(nodes):
        guard = next((g for g in GUARDS if g.layer == node.layer), None)
        if guard is None:
            continue
        loaded = registry.client(node.client)
        model = loaded.model
        bucket = naming.state_bucket(platform.project, model.environment)
        key = naming.client_state_key(model.region, node.layer, model.environment, node.client)
        outputs = read_outputs(s3_for(model.region), bucket, key)
        recorded = outputs.get(guard.output) if outputs else None
        if not isinstance(recorded, str) or not recorded:
            continue
        if guard is VPC_CIDR:
            problem = _vpc_cidr_problem(node, model.network, recorded, level)
            if problem is not None:
                field, severity, message, value, hint = problem
                findings.append(
                    registry.finding(
                        loaded.source,
                        ["network", field],
                        rule=guard.id,
                        level=severity,
                        message=message,
                        value=value,
                        hint=hint,
                    )
                )
        else:
            wanted = platform.versions.kubernetes
            step = kubernetes_step(recorded, wanted)
            if step is not None:
                findings.append(
                    registry.finding(
                        registry.platform_source,
                        ["versions", "kubernetes"],
                        rule=guard.id,
                        level=level,
                        message=f"{node.client}: its cluster runs Kubernetes {recorded} (state of {node.layer}); "
                        f"EKS cannot go to {wanted} in one step",
                        value=wanted,
                        hint=step,
                    )
                )
    return findings


def guarded_nodes(clients: Sequence[str], layers: Sequence[str], only: Collection[Node] | None) -> list[Node]:
    """The selected nodes a guard reads state for."""
    wanted = {g.layer for g in GUARDS}
    if only is not None:
        return sorted(n for n in only if n.layer in wanted)
    return [Node(c, layer) for c in clients for layer in layers if layer in wanted]
