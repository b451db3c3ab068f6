"""``clientctl validate``: every offline check; exit 0 only when all pass."""

from __future__ import annotations

import click

from clientctl.checks import CHECKS, run_checks
from clientctl.cli.app import App, pass_app, print_findings, print_json
from clientctl.errors import ExitCode


@click.command("validate")
@click.option("--only", multiple=True, type=click.Choice([c[0] for c in CHECKS]), help="Run only these checks.")
@pass_app
def command(app: App, only: tuple[str, ...]) -> None:
    """Run every registry, naming, IPAM and render-drift check (the runbook's validate-all)."""
    registry = app.registry()
    runs = run_checks(registry, set(only) or None)
    ok = all(run.ok for run in runs)
    if app.json:
        print_json(
            {
                "ok": ok,
                "clients": len(registry.clients),
                "checks": [
                    {
                        "name": r.name,
                        "ok": r.ok,
                        "seconds": round(r.seconds, 4),
                        "findings": [f.to_dict() for f in r.findings],
                    }
                    for r in runs
                ],
            }
        )
    else:
        for run in runs:
            errors = sum(f.level == "error" for f in run.findings)
            warnings = len(run.findings) - errors
            status = click.style("PASS", fg="green") if run.ok else click.style("FAIL", fg="red")
            detail = f"{errors} error(s), {warnings} warning(s)" if run.findings else "clean"
            click.echo(f"{status}  {run.name:<10} {run.description} ({detail})")
            print_findings(run.findings, err=False)
        verdict = "all checks passed" if ok else "some checks failed"
        click.echo(f"{len(registry.clients)} client(s): {verdict}")
    if not ok:
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)
