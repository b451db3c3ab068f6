"""``clientctl pipeline github-actions|gitlab-ci|argo``: a CI definition for the selected clients x layers
(thin over :mod:`clientctl.pipelines`)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from clientctl.changes import affected as find_affected
from clientctl.cli.app import App, pass_app, print_json
from clientctl.cli.options import base_head_options, check_selection, selection_options
from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write
from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator.graph import Node
from clientctl.pipelines import KINDS, Options, build
from clientctl.registry import Registry

#: Options that only the Argo generator reads.
ARGO_ONLY = ("service_account", "image", "repo")


def check_kind(kind: str) -> str:
    if kind in KINDS:
        return kind
    close = difflib.get_close_matches(kind, KINDS, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise ConfigError(f"unknown pipeline kind {kind!r}", hint=hint + "kinds: " + ", ".join(KINDS))


def select_nodes(registry: Registry, clients: tuple[str, ...], layers: tuple[str, ...]) -> list[Node]:
    """Every named client (default: every client of the registry) x every selected layer (default: all)."""
    names = [registry.client(name).name for name in dict.fromkeys(clients)] if clients else sorted(registry.clients)
    if not names:
        raise ConfigError("the registry has no clients", hint="add one with `clientctl client add NAME`")
    wanted = [layer for layer in LAYER_NAMES if layer in set(layers or LAYER_NAMES)]
    return [Node(client, layer) for client in names for layer in wanted]


def affected_nodes(root: Path, base: str | None, head: str | None) -> list[Node]:
    """The nodes a change must apply (``clientctl affected``); a removed client's destroys are never generated
    (``clientctl offboard`` destroys them)."""
    result = find_affected(root, base=base, head=head)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    return [Node(n.client, n.layer) for n in result.nodes if n.action == "apply"]


def _pipeline_command(func: Callable[..., Any]) -> click.Command:
    func = base_head_options(func)
    func = click.option(
        "--affected", is_flag=True, help="Only the nodes a git change touches (clientctl affected; --base/--head)."
    )(func)
    return click.command("pipeline")(func)


def make_command() -> click.Command:
    @_pipeline_command
    @click.argument("kind", metavar="KIND")
    @selection_options(all_help="Every client of the registry (the default).")
    @click.option(
        "--matrix/--no-matrix",
        default=None,
        help="One matrix job per layer instead of one job per node (default: automatically above --max-jobs).",
    )
    @click.option(
        "--max-jobs",
        type=click.IntRange(1),
        default=256,
        show_default=True,
        help="Above this many jobs the matrix form is used.",
    )
    @click.option(
        "--max-parallel",
        type=click.IntRange(1),
        default=None,
        help="Matrix max-parallel (Argo: the DAG's parallelism).",
    )
    @click.option(
        "--environment",
        default="production",
        show_default=True,
        help="The CI environment that gates applies (GitLab: ENVIRONMENT/<client>).",
    )
    @click.option("--default-branch", default="main", show_default=True, help="The branch applies run from.")
    @click.option("--service-account", default=None, help="Argo: the pods' service account (IRSA). [clientctl]")
    @click.option("--image", default=None, help="Argo: the container image. [python:3.11]")
    @click.option("--repo", default=None, help="Argo: the git URL the tasks check out.")
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE.")
    @pass_app
    def command(
        app: App,
        /,
        kind: str,
        clients: tuple[str, ...],
        all_clients: bool,
        layers: tuple[str, ...],
        out: Path | None,
        affected: bool = False,
        base: str | None = None,
        head: str | None = None,
        **knobs: Any,
    ) -> None:
        """Generate a CI definition running plan/apply per client x layer (KIND: github-actions, gitlab-ci,
        argo).

        One job per (client, layer) with needs following the layer graph, one lock per Terraform state,
        plans on pull/merge requests and approved applies on the default branch (docs/ci.md).

        \b
        Examples:
          clientctl pipeline github-actions --out .github/workflows/clientctl.yml
          clientctl pipeline gitlab-ci acme-corp globex --layer 01 --layer 02
          clientctl pipeline argo --service-account clientctl --out clientctl-workflow.yaml
        """
        kind = check_kind(kind)
        check_selection(clients, all_clients)
        for name in ARGO_ONLY:
            if knobs[name] is not None and kind != "argo":
                raise click.UsageError(f"--{name.replace('_', '-')} is for argo, not {kind}")
        registry = app.registry()
        nodes = select_nodes(registry, clients, layers)
        if (base or head) and not affected:
            raise click.UsageError("--base/--head choose the revisions of --affected; pass --affected too")
        if affected:
            chosen = set(affected_nodes(registry.root, base, head))
            nodes = [node for node in nodes if node in chosen]
            if not nodes:
                raise ConfigError(
                    "the change touches no client x layer", hint="no pipeline is needed; or drop --affected"
                )
        options = Options(
            regions={name: registry.clients[name].model.region for name in {node.client for node in nodes}},
            environment=knobs["environment"],
            matrix=knobs["matrix"],
            max_jobs=knobs["max_jobs"],
            max_parallel=knobs["max_parallel"],
            default_branch=knobs["default_branch"],
            **{name: knobs[name] for name in ARGO_ONLY if knobs[name] is not None},
        )
        pipeline = build(kind, nodes, options)
        text = pipeline.text()
        if out is not None:
            try:
                atomic_write(out, text)
            except OSError as exc:
                raise ConfigError(
                    f"cannot write {out}: {exc.strerror or exc}", hint="choose a writable --out FILE"
                ) from None
        if app.json:
            payload: dict[str, Any] = {"ok": True, "kind": kind, "jobs": pipeline.jobs, "nodes": len(nodes)}
            payload["matrix"] = pipeline.matrix
            payload |= {"path": str(out)} if out is not None else {"content": text}
            print_json(payload)
        elif out is None:
            click.echo(text, nl=False)
        else:
            click.echo(str(out))
            click.echo(f"{kind}: {pipeline.jobs} jobs for {len(nodes)} client x layer nodes", err=True)

    return command


command = make_command()
