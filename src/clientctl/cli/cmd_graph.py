"""``clientctl graph --layers``: the layer dependency graph as DOT or SVG (no graphviz needed)."""

from __future__ import annotations

from pathlib import Path

import click

from clientctl.cli.app import App, print_json
from clientctl.errors import ConfigError
from clientctl.pictures import layer_graph

_SUFFIX_FORMAT = {".svg": "svg", ".dot": "dot", ".gv": "dot"}


def write_output(text: str, path: Path | None, what: str, fmt: str) -> None:
    """Write ``text`` to ``path`` (creating parent folders), or print it when no path is given.

    Under the global ``-o json``: a JSON object instead (``ok``, ``format``, ``path``, and ``content`` when
    no file was written), like every other command."""
    ctx = click.get_current_context(silent=True)
    app = ctx.find_object(App) if ctx is not None else None
    as_json = app is not None and app.json
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write {path}: {exc.strerror or exc}", hint="choose a writable -o FILE") from None
    if as_json:
        print_json(
            {"ok": True, "what": what, "format": fmt, "path": str(path) if path else None}
            | ({} if path else {"content": text})
        )
    elif path is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {what} ({fmt}) to {path}", err=True)


@click.command("graph")
@click.option("--layers", "layers", is_flag=True, help="Draw the six Terraform layers and their dependencies.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dot", "svg"]),
    default=None,
    help="dot (for graphviz) or svg (open in a browser). Default: from -o's suffix, else dot.",
)
@click.option(
    "-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE."
)
def command(layers: bool, fmt: str | None, out: Path | None) -> None:
    """Draw a graph. `--layers`: the layer graph (apply top to bottom, destroy in reverse).

    \b
    Examples:
      clientctl graph --layers -o layers.svg
      clientctl graph --layers --format dot | dot -Tpng > layers.png
    """
    if not layers:
        raise click.UsageError("say what to draw: --layers (the layer dependency graph)")
    if fmt is None:
        fmt = _SUFFIX_FORMAT.get(out.suffix.lower(), "dot") if out is not None else "dot"
    text = layer_graph.to_svg() if fmt == "svg" else layer_graph.to_dot()
    write_output(text, out, "the layer graph", fmt)
