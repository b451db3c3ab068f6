"""The six Terraform layers and their dependency graph, declared as data (docs/adr/ADR-009).

01-foundation -> {02-platform, 03-database, 04-standalone-compute}; 02-platform -> 05-cluster-services
-> 06-observability. Apply walks the graph forwards, destroy in reverse.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Layer:
    name: str
    description: str
    depends_on: tuple[str, ...] = ()


LAYERS: tuple[Layer, ...] = (
    Layer("01-foundation", "VPC, subnets, NAT, security groups, flow logs, optional site-to-site VPN"),
    Layer("02-platform", "EKS cluster, managed node group, IRSA, add-ons", ("01-foundation",)),
    Layer("03-database", "PostgreSQL master and replica on EC2", ("01-foundation",)),
    Layer("04-standalone-compute", "Optional analytics instance", ("01-foundation",)),
    Layer(
        "05-cluster-services",
        "Autoscaler, LB controller, metrics-server, ExternalDNS, Istio, DNS zone",
        ("02-platform",),
    ),
    Layer(
        "06-observability",
        "Prometheus, Grafana, Loki, Tempo, Fluent Bit, Alertmanager",
        ("05-cluster-services",),
    ),
)

LAYER_NAMES: tuple[str, ...] = tuple(layer.name for layer in LAYERS)
BY_NAME: dict[str, Layer] = {layer.name: layer for layer in LAYERS}


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
