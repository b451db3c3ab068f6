"""The six Terraform layers and their dependency graph, declared as data (docs/adr/ADR-009).

01-foundation -> {02-platform, 03-database, 04-standalone-compute}; 02-platform -> 05-cluster-services
-> 06-observability. Apply walks the graph forwards, destroy in reverse.

Each layer also declares the upstream states its Terraform reads (:class:`RemoteState`) and the local of its
``main.tf`` that switches them on: ``clientctl render`` writes them, with the workspace guard and the tagging
module, into the generated prologue ``layer.tf`` of every layer root (docs/adding-a-layer.md).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class RemoteState:
    """One upstream layer whose state a layer reads: ``data.terraform_remote_state.<state_name(layer)>``
    in the generated ``layer.tf``, same workspace, ``config = var.settings.remote_state["<layer>"]``."""

    layer: str
    #: Paths below ``self.outputs`` that must not be null, else the plan stops (a postcondition) with
    #: "Layer <layer> has <missing> for client ...: apply <layer> ... first". Empty: no postcondition.
    requires: tuple[str, ...] = ()
    missing: str = ""
    #: Why the postcondition exists (a comment above it), when the condition alone does not say.
    why: str = ""


@dataclass(frozen=True)
class Layer:
    name: str
    description: str
    depends_on: tuple[str, ...] = ()
    #: Remote states beyond the plain ones of ``depends_on`` (each direct dependency is read anyway): an
    #: entry here adds a postcondition to a direct dependency or reads a transitive one.
    reads: tuple[RemoteState, ...] = ()
    #: The local of the layer's own ``main.tf`` that is true when the workspace's client has something in
    #: this layer; the generated remote states are counted on it (``count = local.<it> ? 1 : 0``).
    enabled_local: str = "enabled"

    def remote_states(self) -> tuple[RemoteState, ...]:
        """Every state the layer reads, in layer order: ``reads`` plus each direct dependency."""
        by_layer = {r.layer: r for r in self.reads}
        for dep in self.depends_on:
            by_layer.setdefault(dep, RemoteState(dep))
        order = {name: i for i, name in enumerate(LAYER_NAMES)}
        return tuple(sorted(by_layer.values(), key=lambda r: order.get(r.layer, len(order))))


def state_name(layer: str) -> str:
    """The ``terraform_remote_state`` name under which other layers read ``layer``: ``01-foundation`` ->
    ``foundation``, ``05-cluster-services`` -> ``cluster_services``."""
    return layer.partition("-")[2].replace("-", "_")


#: The layer names, for code that means one layer in particular (cost lines, the Kubernetes version check).
FOUNDATION = "01-foundation"
PLATFORM = "02-platform"
DATABASE = "03-database"
STANDALONE_COMPUTE = "04-standalone-compute"
CLUSTER_SERVICES = "05-cluster-services"
OBSERVABILITY = "06-observability"

_NO_VPC = RemoteState(FOUNDATION, ("vpc_id",), "no VPC")

LAYERS: tuple[Layer, ...] = (
    Layer(FOUNDATION, "VPC, subnets, NAT, security groups, flow logs, optional site-to-site VPN"),
    Layer(
        PLATFORM,
        "EKS cluster, managed node group, IRSA, add-ons",
        (FOUNDATION,),
        reads=(_NO_VPC,),
        enabled_local="create",
    ),
    Layer(DATABASE, "PostgreSQL master and replica on EC2", (FOUNDATION,), enabled_local="database_enabled"),
    Layer(STANDALONE_COMPUTE, "Optional analytics instance", (FOUNDATION,), enabled_local="analytics_enabled"),
    Layer(
        CLUSTER_SERVICES,
        "Autoscaler, LB controller, metrics-server, ExternalDNS, Istio, DNS zone",
        (PLATFORM,),
        reads=(
            _NO_VPC,
            RemoteState(
                PLATFORM,
                ("cluster_name", "cluster_endpoint", "oidc_provider_arn"),
                "no cluster",
                why="Without it the null outputs of an unapplied layer 02 reach the helm provider (host) and the "
                'autoscaler\'s discovery tag ("k8s.io/cluster-autoscaler/${null}") and fail with errors that do not '
                "name the cause.",
            ),
        ),
    ),
    Layer(
        OBSERVABILITY,
        "Prometheus, Grafana, Loki, Tempo, Fluent Bit, Alertmanager",
        (CLUSTER_SERVICES,),
        reads=(
            RemoteState(
                PLATFORM,
                ("cluster_endpoint", "default_storage_class_name"),
                "no cluster with a default StorageClass",
                why="The charts' PVCs name no StorageClass: they need the default class layer 02 creates (an EKS "
                ">= 1.30 cluster has none of its own). A state without it is an unapplied (or pre-upgrade) layer 02.",
            ),
            RemoteState(
                CLUSTER_SERVICES,
                ("alertmanager_smtp.smtp_username", "alertmanager_smtp.secret_name"),
                "no SES SMTP sender",
                why="Layer 05 owns the client zone and the SES sender of alert e-mail: its IAM user's access key id "
                "is the SMTP user name and its Secrets Manager secret holds the SMTP password "
                "(modules/shared-services/ses.tf).",
            ),
        ),
    ),
)

LAYER_NAMES: tuple[str, ...] = tuple(layer.name for layer in LAYERS)
BY_NAME: dict[str, Layer] = {layer.name: layer for layer in LAYERS}


def check_layers(layers: tuple[Layer, ...]) -> None:
    """The rules of the table above (a mistake in it is a programming error, raised at import): unique names
    ``NN-name``, dependencies on earlier layers only, remote states only of upstream layers."""
    seen: dict[str, Layer] = {}
    for layer in layers:
        number, _, short = layer.name.partition("-")
        if not (len(number) == 2 and number.isdigit() and short) or layer.name in seen:
            raise ValueError(f"layer {layer.name!r}: names are unique and look like 07-example")
        for dep in layer.depends_on:
            if dep not in seen:
                raise ValueError(f"layer {layer.name}: depends_on {dep!r} is not an earlier layer")
        ancestors = set(layer.depends_on)
        frontier = list(layer.depends_on)
        while frontier:
            for dep in seen[frontier.pop()].depends_on:
                if dep not in ancestors:
                    ancestors.add(dep)
                    frontier.append(dep)
        for read in layer.reads:
            if read.layer not in ancestors:
                raise ValueError(f"layer {layer.name}: reads {read.layer!r}, which is not upstream of it")
            if bool(read.requires) != bool(read.missing):
                raise ValueError(f"layer {layer.name}: the state of {read.layer} needs both requires and missing")
        seen[layer.name] = layer


check_layers(LAYERS)


@cache
def upstream(name: str) -> tuple[str, ...]:
    """Every layer ``name`` depends on, directly or transitively, in layer order."""
    found: set[str] = set()
    frontier = list(BY_NAME[name].depends_on)
    while frontier:
        current = frontier.pop()
        if current not in found:
            found.add(current)
            frontier += BY_NAME[current].depends_on
    return tuple(layer for layer in LAYER_NAMES if layer in found)


@cache
def downstream(name: str) -> tuple[str, ...]:
    """Every layer that depends on ``name``, directly or transitively, in layer order."""
    return tuple(layer for layer in LAYER_NAMES if name in upstream(layer))


def layer_forms(name: str) -> tuple[str, ...]:
    """Every spelling :func:`resolve_layer` accepts for ``name``: ``03-database``, ``03``, ``3``, ``database``."""
    number, _, short = name.partition("-")
    return (name, number, str(int(number)), short)


class UnknownLayer(ValueError):
    """``text`` names no layer; the message lists every layer (and a close match, if any)."""

    def __init__(self, text: str) -> None:
        wanted = text.strip().lower()
        candidates = {form: name for name in LAYER_NAMES for form in layer_forms(name)}
        close = difflib.get_close_matches(wanted, list(candidates), n=1, cutoff=0.6)
        self.suggestion = candidates[close[0]] if close else None
        hint = f"did you mean {self.suggestion}? " if self.suggestion else ""
        self.hint = (
            hint + "layers: " + ", ".join(LAYER_NAMES) + " (or just the number, e.g. 01, or the name, e.g. foundation)"
        )
        super().__init__(f"unknown layer {text!r}")


def resolve_layer(text: str) -> str:
    """The one layer parser of every ``--layer`` option: full name (``01-foundation``), number (``01``,
    ``1``) or short name (``foundation``), case-insensitive; :class:`UnknownLayer` otherwise."""
    wanted = text.strip().lower()
    for name in LAYER_NAMES:
        number = name.partition("-")[0]
        if wanted in layer_forms(name) or (wanted.isdigit() and int(wanted) == int(number)):
            return name
    raise UnknownLayer(text)
