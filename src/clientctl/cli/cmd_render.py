"""``clientctl render``: write every layer's inputs and the ledger; ``--check`` only compares."""

from __future__ import annotations

import click

from clientctl.cli.app import App, pass_app, print_findings, print_json
from clientctl.errors import ExitCode
from clientctl.render.render import render


@click.command("render")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing every file that differs.")
@click.option("--dry-run", is_flag=True, help="Show what would be written, write nothing (same as --check).")
@pass_app
def command(app: App, check: bool, dry_run: bool) -> None:
    """Render clients.auto.tfvars.json, backend.hcl and layer.tf (the shared prologue) for every layer, and
    cidr-registry.yaml."""
    registry = app.registry()
    check = check or dry_run
    result = render(registry, check=check)
    if app.json:
        print_json(
            {
                "ok": not result.drifted,
                "check": check,
                "written": result.written,
                "drifted": result.drifted,
                "unchanged": len(result.unchanged),
                "warnings": [w.to_dict() for w in result.warnings],
            }
        )
    else:
        print_findings(result.warnings)
        for path in result.written:
            click.echo(f"wrote     {path}")
        for path in result.drifted:
            click.echo(f"{'drifted':<9} {path}")
        summary = f"{len(result.unchanged)} file(s) up to date"
        if check and result.drifted:
            click.secho(f"{len(result.drifted)} file(s) differ from the registry; run `clientctl render`", fg="red")
        elif not check:
            click.echo(f"{len(result.written)} file(s) written, {summary}")
        else:
            click.echo(f"no drift: {summary}")
    if result.drifted:
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)
