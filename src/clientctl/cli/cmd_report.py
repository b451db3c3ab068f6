"""``clientctl report merge``: one run report and one grid from many (a CI pipeline's jobs)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from clientctl import paths
from clientctl.cli.app import App, pass_app, print_json
from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write
from clientctl.orchestrator.grid import render_grid, summary_line
from clientctl.orchestrator.report import RunReport, merge_reports, read_report
from clientctl.registry import find_root


def report_files(arguments: tuple[Path, ...]) -> list[Path]:
    """The report files named, a folder standing for every ``report.json`` below it (a downloaded artifact)."""
    files: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            found = sorted(argument.rglob(paths.REPORT_FILE))
            if not found:
                raise ConfigError(f"{argument}: no {paths.REPORT_FILE} in this folder or below it")
            files += found
        elif argument.is_file():
            files.append(argument)
        else:
            raise ConfigError(f"{argument}: no such file or folder", hint="pass report.json files or folders")
    return list(dict.fromkeys(f.resolve() for f in files))


def _default_out(report: RunReport) -> Path:
    try:
        root: Path | None = find_root(Path.cwd())
    except ConfigError:
        root = None
    return paths.run_report_file(root, report.run_id)


@click.group("report")
def command() -> None:
    """Work with run reports (.clientctl/runs/<run-id>/report.json)."""


@command.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the merged report here (default: .clientctl/runs/<new run id>/report.json).",
)
@pass_app
def merge(app: App, reports: tuple[Path, ...], out: Path | None) -> None:
    """Merge the run reports of one action (e.g. every job of a pipeline) into one report and one grid.

    A node in several reports (a retried job) keeps the result that finished last. The exit code is the merged
    run's: 1 if any node failed, was skipped or cancelled (or drifted, for drift), as for a local run.

    \b
    Examples:
      clientctl report merge artifacts/            # every report.json below the folder
      clientctl report merge a/report.json b/report.json --out merged.json -o json
    """
    merged = merge_reports([read_report(path) for path in report_files(reports)])
    target = out or _default_out(merged)
    try:
        atomic_write(target, json.dumps(merged.to_dict(), indent=2) + "\n")
    except OSError as exc:
        raise ConfigError(
            f"cannot write {target}: {exc.strerror or exc}", hint="choose a writable --out FILE"
        ) from None
    merged.path = target
    if app.json:
        print_json({"ok": merged.exit_code == 0, "path": str(target), **merged.to_dict()})
    else:
        click.echo(render_grid(merged.nodes, merged.options["layers"]))
        for node in merged.nodes:
            if node.status in ("failed", "skipped", "cancelled") and node.error:
                click.echo(f"{node.client}/{node.layer}: {node.status}: {node.error}", err=True)
        if merged.options["superseded"]:
            click.echo(f"retried, last result kept: {', '.join(merged.options['superseded'])}", err=True)
        click.echo(f"{summary_line(merged)} (merged from {len(merged.options['merged_from'])} run(s))")
        click.echo(f"report: {target}")
    if merged.exit_code:
        raise click.exceptions.Exit(merged.exit_code)
