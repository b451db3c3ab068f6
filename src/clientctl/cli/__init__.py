"""The ``clientctl`` command line: thin commands over the typed core (one module per command group)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from clientctl import __version__
from clientctl.cli.app import ERROR_OUTPUT, App, emit_error, emit_usage_error
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
    ERROR_OUTPUT["format"] = output  # errors raised after the context is gone still honour --output


# One module per command group under clientctl/cli/; add a new one here (one name per line keeps merges clean).
# A module exposes `command`, or `commands` when it defines several top-level commands (cmd_run).
COMMAND_MODULES: tuple[str, ...] = (
    "cmd_client",
    "cmd_cidr",
    "cmd_render",
    "cmd_validate",
    "cmd_iac",
    "cmd_cost",
    "cmd_graph",
    "cmd_run",
    "cmd_affected",
    "cmd_report",
    "cmd_sandbox",
    "cmd_backend",
    "cmd_s3",
    "cmd_onboard",
    "cmd_status",
    "cmd_lock",
    "cmd_state",
    "cmd_dns",
    "cmd_db",
    "cmd_pipeline",
)


def _late_global(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """Callback of a global option given after the command (``clientctl s3 verify -o json``): the group's
    callback has already made the App, so the value is set on it (awscli and kubectl accept both places)."""

    def store(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        app = ctx.find_object(App)
        if app is None or value in (None, 0):
            return
        if name == "output":
            app.output = value
            ERROR_OUTPUT["format"] = value
        elif name == "root":
            app.root_option = value
        else:
            app.verbose += value
            logging.getLogger().setLevel(logging.INFO if app.verbose == 1 else logging.DEBUG)

    return store


def _accept_global_options(command: click.Command) -> None:
    """Give ``command`` (and its subcommands) the global ``--root``, ``-o/--output`` and ``-v`` as hidden options,
    except where the command already uses one of those names for itself (e.g. ``graph -o FILE``)."""
    taken = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]}
    late: list[tuple[list[str], str, dict[str, Any]]] = [
        (["--root"], "root", {"type": click.Path(file_okay=False, path_type=str), "default": None}),
        (["--output", "-o"], "output", {"type": click.Choice(["table", "json"]), "default": None}),
        (["--verbose", "-v"], "verbose", {"count": True}),
    ]
    for opts, name, kwargs in late:
        free = [opt for opt in opts if opt not in taken]
        # A command with its own --output keeps it (it means the same); one with its own -o (a file) gets --output.
        if free and "--output" not in taken:
            command.params.append(
                click.Option(
                    free, expose_value=False, hidden=True, callback=_late_global(name), is_eager=False, **kwargs
                )
            )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_options(sub)


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(f"clientctl.cli.{name}")
        for command in getattr(module, "commands", None) or [module.command]:
            _accept_global_options(command)
            cli.add_command(command)


_register()


def main() -> None:
    ERROR_OUTPUT["format"] = "table"
    try:
        # standalone_mode=False returns the code of click.exceptions.Exit instead of exiting
        rc = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(ExitCode.USAGE)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        emit_usage_error(exc, ERROR_OUTPUT["format"])
        sys.exit(ExitCode.USAGE)
    except ClientctlError as exc:
        emit_error(exc, ERROR_OUTPUT["format"])
        sys.exit(exc.exit_code)
    sys.exit(rc if isinstance(rc, int) else ExitCode.OK)
