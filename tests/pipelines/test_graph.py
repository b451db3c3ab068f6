"""The one graph walk the generators share: jobs, their upstream nodes, the per-layer fold, ids and chunks."""

from __future__ import annotations

import pytest

from clientctl.orchestrator.graph import Node, build_graph
from clientctl.pipelines.graph import Job, chunks, layer_groups, lock_name, safe_id, walk
from tests.pipelines.checks import nodes


def upstream(jobs: list[Job], client: str, layer: str) -> list[str]:
    [job] = [j for j in jobs if j.node == Node(client, layer)]
    return [str(n) for n in job.upstream]


def test_every_node_with_the_layer_graph_per_client() -> None:
    jobs = walk(nodes(["b", "a"]))
    assert [str(j.node) for j in jobs[:4]] == ["a/01-foundation", "b/01-foundation", "a/02-platform", "b/02-platform"]
    assert len(jobs) == 12
    # the same edges as the orchestrator's graph for the full cross product
    graph = build_graph(["a", "b"], [j.layer for j in jobs])
    assert {j.node: set(j.upstream) for j in jobs} == graph
    assert upstream(jobs, "a", "06-observability") == ["a/05-cluster-services"]
    assert upstream(jobs, "b", "01-foundation") == []


def test_unselected_layers_are_walked_through_and_clients_may_differ() -> None:
    selection = [
        *nodes(["a"], ["01-foundation", "02-platform", "06-observability"]),
        *nodes(["b"], ["03-database", "06-observability"]),
        Node("a", "02-platform"),  # duplicates count once
    ]
    jobs = walk(selection)
    assert [str(j.node) for j in jobs] == [
        "a/01-foundation",
        "a/02-platform",
        "b/03-database",
        "a/06-observability",
        "b/06-observability",
    ]
    assert upstream(jobs, "a", "06-observability") == ["a/02-platform"]  # through the unselected 05
    assert upstream(jobs, "b", "06-observability") == []  # its 01, 02, 05 are not selected: assumed applied
    assert upstream(jobs, "b", "03-database") == []
    groups = layer_groups(jobs)
    assert [(g.layer, g.clients, g.upstream) for g in groups] == [
        ("01-foundation", ("a",), ()),
        ("02-platform", ("a",), ("01-foundation",)),
        ("03-database", ("b",), ()),
        ("06-observability", ("a", "b"), ("02-platform",)),
    ]


def test_unknown_layer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown layer"):
        walk([Node("a", "07-extra")])


def test_safe_ids() -> None:
    assert safe_id("plan", "acme-corp", "01-foundation") == "plan--acme-corp--01-foundation"
    assert safe_id("9lives", "x.y z") == "_9lives--x_y_z"
    assert safe_id("_x") == "_x"
    assert safe_id("émile") == "_mile"
    assert lock_name("acme-corp", "01-foundation") == "clientctl-acme-corp-01-foundation"


def test_chunks() -> None:
    items = [str(i) for i in range(600)]
    sizes = [len(c) for c in chunks(items, 256)]
    assert sizes == [256, 256, 88]
    assert [x for c in chunks(items, 256) for x in c] == items
    with pytest.raises(ValueError):
        list(chunks(items, 0))
