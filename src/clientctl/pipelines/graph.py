"""The one graph walk every CI generator shares: selected (client, layer) nodes -> ordered jobs, each with
the selected nodes it waits for.

Edges are :func:`clientctl.orchestrator.graph.layer_edges` per client, over that client's selected layers
(an unselected upstream layer is walked through, as ``clientctl apply --layer`` assumes it applied). Clients
are independent: an edge never crosses clients. Jobs come in layer order, then client order, so every
generated file is the same for the same selection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator.graph import Node, layer_edges, ordered_layers

#: The key of the concurrency group / resource group / mutex of a node: one Terraform state, one run at a time.
LOCK_PREFIX = "clientctl"


@dataclass(frozen=True)
class Job:
    """One (client, layer) node of the selection and the selected nodes of the same client it waits for."""

    node: Node
    upstream: tuple[Node, ...]

    @property
    def client(self) -> str:
        return self.node.client

    @property
    def layer(self) -> str:
        return self.node.layer


@dataclass(frozen=True)
class LayerGroup:
    """The jobs of one layer (the matrix form): its clients, and the selected layers it waits for (the
    union of its jobs' upstream layers)."""

    layer: str
    clients: tuple[str, ...]
    upstream: tuple[str, ...]


def walk(nodes: Iterable[Node]) -> list[Job]:
    """Every distinct node once, in layer order then client order, with its upstream nodes (sorted)."""
    by_client: dict[str, set[str]] = {}
    for node in nodes:
        if node.layer not in LAYER_NAMES:
            raise ValueError(f"unknown layer {node.layer!r}")
        by_client.setdefault(node.client, set()).add(node.layer)
    edges_of: dict[tuple[str, ...], dict[str, set[str]]] = {}
    jobs: list[Job] = []
    for client, layers in by_client.items():
        key = tuple(ordered_layers(layers))
        edges = edges_of.get(key)
        if edges is None:
            edges = edges_of[key] = layer_edges(key)
        for layer in key:
            upstream = tuple(Node(client, dep) for dep in ordered_layers(edges[layer]))
            jobs.append(Job(Node(client, layer), upstream))
    jobs.sort(key=lambda job: (LAYER_NAMES.index(job.layer), job.client))
    return jobs


def layer_groups(jobs: Sequence[Job]) -> list[LayerGroup]:
    """The walk folded per layer (layer order), for generators that emit one matrix job per layer."""
    clients: dict[str, list[str]] = {}
    upstream: dict[str, set[str]] = {}
    for job in jobs:
        clients.setdefault(job.layer, []).append(job.client)
        upstream.setdefault(job.layer, set()).update(dep.layer for dep in job.upstream)
    return [
        LayerGroup(layer, tuple(clients[layer]), tuple(ordered_layers(upstream[layer])))
        for layer in ordered_layers(clients)
    ]


def chunks(items: Sequence[str], size: int) -> Iterator[tuple[str, ...]]:
    """``items`` in consecutive slices of at most ``size`` (a CI system's matrix limit)."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    for start in range(0, len(items), size):
        yield tuple(items[start : start + size])


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_START = re.compile(r"[A-Za-z_]")


def safe_id(*parts: str) -> str:
    """A job id GitHub accepts: the parts joined by ``--``, every other character than ``[A-Za-z0-9_-]``
    replaced by ``_``, and a leading ``_`` unless it starts with a letter or ``_``."""
    text = _UNSAFE.sub("_", "--".join(parts))
    return text if _START.match(text) else f"_{text}"


def lock_name(client: str, layer: str) -> str:
    """The one name of a node's state across pipelines: GitHub concurrency group, GitLab resource group,
    Argo mutex."""
    return f"{LOCK_PREFIX}-{client}-{layer}"
