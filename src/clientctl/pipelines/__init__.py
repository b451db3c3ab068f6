"""CI definitions generated from the registry: one job per (client, layer), ``needs`` following the layer
graph, one lock per Terraform state, approvals before apply (docs/ci.md).

``generate(kind, nodes, options)`` returns the YAML text; :func:`build` the document and its job count.
The kinds share one graph walk (:mod:`clientctl.pipelines.graph`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from clientctl.orchestrator.graph import Node
from clientctl.pipelines import argo, github, gitlab
from clientctl.pipelines.common import Options, Pipeline
from clientctl.pipelines.graph import Job, walk

BUILDERS: dict[str, Callable[[list[Job], Options], Pipeline]] = {
    "github-actions": github.build,
    "gitlab-ci": gitlab.build,
    "argo": argo.build,
}
KINDS: tuple[str, ...] = tuple(BUILDERS)


class UnknownKind(ValueError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown pipeline kind {kind!r} (kinds: {', '.join(KINDS)})")


def build(kind: str, nodes: Iterable[Node], options: Options | None = None) -> Pipeline:
    try:
        builder = BUILDERS[kind]
    except KeyError:
        raise UnknownKind(kind) from None
    jobs = walk(nodes)
    if not jobs:
        raise ValueError("no (client, layer) node selected")
    return builder(jobs, options or Options())


def generate(kind: str, nodes: Iterable[Node], options: Options | None = None) -> str:
    """The CI definition of ``kind`` for ``nodes``, as YAML with a "generated; do not edit" header."""
    return build(kind, nodes, options).text()


__all__ = ["KINDS", "Node", "Options", "Pipeline", "UnknownKind", "build", "generate"]
