"""``clientctl sandbox start|stop|status|env``: the embedded AWS (moto over HTTPS on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import shlex
from dataclasses import asdict

import click

from clientctl import paths, sandbox
from clientctl.cli.app import App, pass_app, print_json
from clientctl.cli.aws_options import sandbox_root
from clientctl.errors import ClientctlError, ExitCode
from clientctl.rules import load_platform


@click.group("sandbox")
def command() -> None:
    """The embedded AWS sandbox (moto server mode, HTTPS, on 127.0.0.1)."""


@command.command("start")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 picks a free port.")
@pass_app
def start_cmd(app: App, port: int) -> None:
    """Start the sandbox in the background; state is kept while it runs."""
    state = sandbox.start(sandbox_root(), port=port)
    if app.json:
        print_json({"ok": True, "status": "running", **asdict(state)})
        return
    click.echo(f"sandbox running: {state.endpoint} (pid {state.pid})")
    click.echo('use it: eval "$(clientctl sandbox env)"  or pass --sandbox to AWS commands')


@command.command("stop")
@pass_app
def stop_cmd(app: App) -> None:
    """Stop the sandbox (everything it held is forgotten)."""
    state = sandbox.stop(sandbox_root())
    if app.json:
        print_json({"ok": True, "stopped": state is not None, "pid": state.pid if state else None})
        return
    click.echo(f"sandbox stopped (pid {state.pid})" if state else "no sandbox was running")


@command.command("status")
@pass_app
def status_cmd(app: App) -> None:
    """Show whether the sandbox runs and answers; exit 1 when it does not."""
    current, state = sandbox.status(sandbox_root())
    if app.json:
        print_json({"ok": current == "running", "status": current, **(asdict(state) if state else {})})
    elif state is None:
        click.echo("sandbox: stopped")
    else:
        detail = {
            "stale": "gone (its process died; run `clientctl sandbox start`)",
            "unhealthy": "process alive but not answering",
        }.get(current, "running")
        click.echo(
            f"sandbox: {detail}\n  endpoint {state.endpoint}\n  pid      {state.pid}\n  CA       {state.ca_bundle}"
        )
    if current != "running":
        raise click.exceptions.Exit(ExitCode.CHECKS_FAILED)


@command.command("env")
@pass_app
def env_cmd(app: App) -> None:
    """Print the exports that point the AWS SDKs, the AWS CLI and Terraform at the sandbox."""
    root = sandbox_root()
    state = sandbox.require_running(root)
    region = sandbox.SANDBOX_REGION
    if (root / paths.PLATFORM_FILE).is_file():
        with contextlib.suppress(ClientctlError):
            region = next(iter(load_platform(root)[0].regions))
    exports = sandbox.env_exports(state, region)
    if app.json:
        print_json({"ok": True, "env": exports})
        return
    for key, value in exports.items():
        click.echo(f"export {key}={shlex.quote(value)}")
    click.echo("# Terraform's S3 backend: add -backend-config=use_path_style=true (the sandbox has no DNS names)")
