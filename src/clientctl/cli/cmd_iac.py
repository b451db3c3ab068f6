"""``clientctl iac check`` / ``clientctl iac isolation``: offline verification of the Terraform code."""

from __future__ import annotations

from pathlib import Path

import click

from clientctl.cli.app import App, pass_app, print_findings, print_json
from clientctl.errors import ExitCode
from clientctl.iac.check import (
    ALL_CHECKS,
    CheckOutcome,
    default_paths,
    find_checkov,
    load_schemas,
    run_iac_checks,
)
from clientctl.terraform import binary


@click.group("iac")
def command() -> None:
    """Verify the Terraform code offline (format, parse, provider schema, wiring, security, isolation)."""


def _paths(app: App, path: tuple[str, ...]) -> tuple[list[Path], Path | None]:
    if path:
        root: Path | None
        try:
            root = app.root
        except Exception:
            root = None
        return [Path(p) for p in path], root
    root = app.root
    return default_paths(root), root


def _report(app: App, outcomes: list[CheckOutcome], verbose_skips: bool) -> bool:
    ok = all(o.ok for o in outcomes)
    if app.json:
        print_json({"ok": ok, "checks": [o.to_dict() for o in outcomes]})
        return ok
    for o in outcomes:
        errors = sum(f.level == "error" for f in o.findings)
        warnings = len(o.findings) - errors
        if not o.ran:
            status = click.style("NOT RUN", fg="red")
        else:
            status = click.style("PASS", fg="green") if o.ok else click.style("FAIL", fg="red")
        detail = f"{errors} error(s), {warnings} warning(s)" if o.findings else "clean"
        skipped = f", {len(o.skipped)} skipped" if o.skipped else ""
        click.echo(f"{status:<7} {o.name:<9} {detail}{skipped} ({o.seconds:.1f}s)")
        print_findings(o.findings, err=False)
        if verbose_skips or app.verbose:
            for s in o.skipped:
                click.echo(f"    skipped: {s}")
    click.echo("iac: all checks passed" if ok else "iac: some checks failed")
    return ok


@command.command("check")
@click.option("--only", multiple=True, type=click.Choice(list(ALL_CHECKS)), help="Run only these checks (repeatable).")
@click.option(
    "--skip", multiple=True, type=click.Choice(list(ALL_CHECKS)), help="Do not run these checks (repeatable)."
)
@click.option(
    "--path",
    "path",
    multiple=True,
    type=click.Path(exists=True, path_type=str),
    help="File or folder to check (repeatable). Default: the repository's modules/ and providers/.",
)
@click.option(
    "--terraform",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Terraform binary for fmt. Default: terraform next to this Python (.venv/bin), then PATH.",
)
@click.option("--show-skipped", is_flag=True, help="List what was deliberately not checked, and why.")
@pass_app
def check(
    app: App,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    path: tuple[str, ...],
    terraform: Path | None,
    show_skipped: bool,
) -> None:
    """Format, parse, provider-schema, wiring and checkov checks; exit 1 on any problem.

    \b
    Offline: no provider or module is downloaded (see docs/iac-verification.md).
    """
    paths, root = _paths(app, path)
    selected = [c for c in (only or ALL_CHECKS) if c not in skip]
    outcomes = run_iac_checks(
        paths,
        root=root,
        only=selected,
        terraform=binary.find(terraform, root),
        checkov=find_checkov() if "checkov" in selected else None,
        schemas=load_schemas(),
    )
    if not _report(app, outcomes, show_skipped):
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)


@command.command("isolation")
@click.option(
    "--path",
    "path",
    multiple=True,
    type=click.Path(exists=True, path_type=str),
    help="Folder to check (repeatable). Default: the repository's modules/ and providers/.",
)
@pass_app
def isolation(app: App, path: tuple[str, ...]) -> None:
    """Prove per client that S3 policies, security groups, Route53 changes and tags stay within that client.

    \b
    Static: each layer root is evaluated once per client from its rendered clients.auto.tfvars.json.
    """
    from clientctl.iac.isolation import check_isolation

    paths, root = _paths(app, path)
    findings, checked = check_isolation(paths, root=root, schemas=load_schemas())
    ok = not any(f.level == "error" for f in findings)
    if app.json:
        print_json({"ok": ok, "checked": checked, "findings": [f.to_dict() for f in findings]})
    else:
        print_findings(findings, err=False)
        verdict = "isolated" if ok else f"{len(findings)} problem(s)"
        click.echo(f"iac isolation: {checked} (client, resource) pair(s) checked: {verdict}")
    if not ok:
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)
