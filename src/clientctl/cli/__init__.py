"""The ``clientctl`` command line: thin commands over the typed core (one module per command group)."""

from __future__ import annotations

import sys

import click

from clientctl import __version__
from clientctl.cli.app import App, emit_error
from clientctl.errors import ClientctlError, ExitCode


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    envvar="CLIENTCTL_ROOT",
    help="Repository root (the folder with platform.yaml). Default: search upwards from the current folder.",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format; json is for automation.",
)
@click.option("-v", "--verbose", count=True, help="More detail (repeat for debug logging).")
@click.version_option(__version__, prog_name="clientctl")
@click.pass_context
def cli(ctx: click.Context, root: str | None, output: str, verbose: int) -> None:
    """clientctl: one registry of clients, one isolated AWS stack per client.

    \b
    Exit codes: 0 ok, 1 checks failed, 2 usage or configuration error.
    """
    ctx.obj = App(root_option=root, output=output, verbose=verbose)


def _register() -> None:
    from clientctl.cli import cmd_backend, cmd_cidr, cmd_client, cmd_render, cmd_s3, cmd_sandbox, cmd_validate

    for module in (cmd_client, cmd_cidr, cmd_render, cmd_validate, cmd_sandbox, cmd_backend, cmd_s3):
        cli.add_command(module.command)


_register()


def main() -> None:
    try:
        # standalone_mode=False returns the code of click.exceptions.Exit instead of exiting
        rc = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(ExitCode.USAGE)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except ClientctlError as exc:
        ctx = click.get_current_context(silent=True)
        output = "table"
        if ctx is not None and isinstance(ctx.find_root().obj, App):
            output = ctx.find_root().obj.output
        emit_error(exc, output)
        sys.exit(exc.exit_code)
    sys.exit(rc if isinstance(rc, int) else ExitCode.OK)
