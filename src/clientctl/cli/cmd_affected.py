"""``clientctl affected``: the (client, layer) pairs a git change touches (thin over :mod:`clientctl.changes`)."""

from __future__ import annotations

import click

from clientctl.changes import AffectedResult, affected
from clientctl.cli.app import App, pass_app, print_json
from clientctl.cli.options import base_head_options


def describe(result: AffectedResult, *, why: bool) -> str:
    head = result.head[:12] if result.head else "the working tree"
    lines = [f"base: {result.base_label} ({result.base[:12]}); head: {head}"]
    if not result.nodes:
        lines.append(f"nothing affected ({len(result.changed_files)} changed file(s) feed no client x layer)")
        return "\n".join(lines)
    width = max(len(n.client) for n in result.nodes)
    lines.append(f"{len(result.nodes)} client x layer pair(s) affected:")
    for node in result.nodes:
        lines.append(f"  {node.client:<{width}}  {node.layer:<22}  {node.action}")
        if why:
            lines += [f"      because {reason}" for reason in node.reasons]
    return "\n".join(lines)


@click.command("affected")
@base_head_options
@click.option("--why", is_flag=True, help="Print the reason chain of each pair (file -> value or module -> layer).")
@pass_app
def command(app: App, base: str | None, head: str | None, why: bool) -> None:
    """List the client x layer pairs whose inputs differ between two git revisions.

    A pair is selected when its client's rendered entry changes as its layer's `variable "clients"` type sees
    it, when its layer's rendered settings or backend change, when its layer root or a module it calls
    (nested modules included) changes, or when an upstream layer of the same client is selected. A client
    removed from the registry selects its layers for destroy, in reverse order. See docs/ci.md.

    \b
    Examples:
      clientctl affected --why
      clientctl affected --base origin/main --head HEAD -o json
      clientctl plan --affected --base origin/main
    """
    result = affected(app.root, base=base, head=head)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if app.json:
        print_json({"ok": True, **result.to_dict()})
    else:
        click.echo(describe(result, why=why))
