"""The clients x layers graph and a bounded-parallel scheduler over it.

Edges come from :data:`clientctl.layers.LAYERS` (docs/adr/ADR-009), restricted to the selected layers
(an unselected upstream layer is assumed to be in place); destroy walks them in reverse. Clients are
independent: an edge never crosses clients, so a failure skips only the same client's dependents.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from clientctl.layers import BY_NAME, LAYER_NAMES


@dataclass(frozen=True, order=True)
class Node:
    client: str
    layer: str

    def __str__(self) -> str:
        return f"{self.client}/{self.layer}"


def layer_edges(layers: Sequence[str], *, reverse: bool = False) -> dict[str, set[str]]:
    """layer -> the selected layers it waits for (transitively through unselected ones)."""
    selected = set(layers)

    def nearest_selected(name: str) -> set[str]:
        # not layers.upstream (every layer above): the selected ones reached with no selected layer between
        found: set[str] = set()
        for dep in BY_NAME[name].depends_on:
            found |= {dep} if dep in selected else nearest_selected(dep)
        return found

    forward = {name: nearest_selected(name) for name in layers}
    if not reverse:
        return forward
    backward: dict[str, set[str]] = {name: set() for name in layers}
    for name, deps in forward.items():
        for dep in deps:
            backward[dep].add(name)
    return backward


def ordered_layers(layers: Iterable[str]) -> list[str]:
    wanted = set(layers)
    return [name for name in LAYER_NAMES if name in wanted]


def build_graph(
    clients: Sequence[str], layers: Sequence[str], *, reverse: bool = False, only: Collection[Node] | None = None
) -> dict[Node, set[Node]]:
    """node -> nodes it waits for: every client x layer, or only the nodes in ``only`` (e.g. ``clientctl plan
    --affected``), each client's edges then running through its unselected layers as :func:`layer_edges` does."""
    if only is None:
        edges = layer_edges(ordered_layers(layers), reverse=reverse)
        return {
            Node(client, layer): {Node(client, dep) for dep in deps}
            for client in clients
            for layer, deps in edges.items()
        }
    graph: dict[Node, set[Node]] = {}
    for client in clients:
        mine = ordered_layers(n.layer for n in only if n.client == client and n.layer in layers)
        for layer, deps in layer_edges(mine, reverse=reverse).items():
            graph[Node(client, layer)] = {Node(client, dep) for dep in deps}
    return graph


def topological(graph: dict[Node, set[Node]]) -> list[Node]:
    order: list[Node] = []
    done: set[Node] = set()
    remaining = sorted(graph, key=lambda n: (LAYER_NAMES.index(n.layer), n.client))
    while remaining:
        ready = [n for n in remaining if graph[n] <= done]
        if not ready:
            raise ValueError("cycle in the layer graph")
        order += ready
        done |= set(ready)
        remaining = [n for n in remaining if n not in done]
    return order


def dependents_of(graph: dict[Node, set[Node]], node: Node) -> set[Node]:
    found: set[Node] = set()
    frontier = [node]
    while frontier:
        current = frontier.pop()
        for other, deps in graph.items():
            if current in deps and other not in found:
                found.add(other)
                frontier.append(other)
    return found


def schedule(
    graph: dict[Node, set[Node]],
    work: Callable[[Node], bool],
    *,
    parallelism: int,
    stop: threading.Event,
    done_ok: Iterable[Node] = (),
    done_failed: Iterable[Node] = (),
    on_skip: Callable[[Node, Node], None],
    on_cancel: Callable[[Node], None],
) -> None:
    """Run ``work(node)`` for every node once its dependencies succeeded, at most ``parallelism`` at a time.

    ``work`` returns False on failure: the node's dependents are skipped (``on_skip(dependent, cause)``);
    everything else goes on. Nodes in ``done_ok``/``done_failed`` are not run. Once ``stop`` is set nothing
    new starts and every node not started gets ``on_cancel``. Ready nodes start in layer order, then client
    order, so the critical path (the deepest layers) is fed first.
    """
    ok: set[Node] = set(done_ok)
    settled: set[Node] = ok | set(done_failed)
    for failed in done_failed:
        for dep in sorted(dependents_of(graph, failed)):
            if dep not in settled:
                settled.add(dep)
                on_skip(dep, failed)
    order = topological(graph)
    running: dict[Future[bool], Node] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="clientctl-node") as pool:
        while True:
            if not stop.is_set():
                for node in order:
                    if len(running) >= parallelism:
                        break
                    if node in settled or node in running.values():
                        continue
                    if graph[node] <= ok:
                        running[pool.submit(work, node)] = node
            if not running:
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                node = running.pop(future)
                settled.add(node)
                try:
                    success = future.result()
                except Exception:
                    success = False
                if success:
                    ok.add(node)
                    continue
                for dep in sorted(dependents_of(graph, node)):
                    if dep not in settled:
                        settled.add(dep)
                        on_skip(dep, node)
    for node in order:
        if node not in settled:
            on_cancel(node)
