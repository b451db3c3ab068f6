"""The ``clientctl`` command line: thin commands over the typed core (one module per command group).

Commands load lazily: :data:`COMMANDS` names each command's module and its one-line help, so ``clientctl
--help`` and shell completion import no command module, boto3, pydantic or HCL parser (issue 12;
benchmarks/cli_startup.py measures it). ``tests/cli/test_cli_startup.py`` keeps the table equal to the
commands it names.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import click
from click.shell_completion import CompletionItem

from clientctl import __version__
from clientctl.cli.app import App, emit_error, emit_usage_error
from clientctl.errors import ClientctlError, ExitCode


class Entry(NamedTuple):
    """Where a top-level command lives: ``clientctl.cli.<module>.<attribute>``, and its one-line help."""

    module: str
    attribute: str
    help: str


# One module per command group under clientctl/cli/; add a new command here (one per line keeps merges clean).
COMMANDS: dict[str, Entry] = {
    "affected": Entry("cmd_affected", "command", "List the client x layer pairs whose inputs differ between two git revisions."),
    "apply": Entry("cmd_run", "apply", "Plan, show the summaries, ask once per client, then apply exactly the approved plans in graph order."),
    "backend": Entry("cmd_backend", "command", "Terraform backend and observability storage."),
    "cidr": Entry("cmd_cidr", "command", "CIDR registry: validate, allocate the next free block, show a client's subnet plan."),
    "client": Entry("cmd_client", "command", "Add, list and show clients of the registry."),
    "completion": Entry("cmd_completion", "command", "Print the shell completion script for bash, zsh or fish."),
    "cost": Entry("cmd_cost", "command", "Cost estimates (offline, from the registry and a dated price table) and actual cost (Cost Explorer)."),
    "db": Entry("cmd_db", "command", "The client's PostgreSQL (layer 03): on-demand backups."),
    "destroy": Entry("cmd_run", "destroy", "Destroy every selected client x layer in reverse graph order, after the user types the client name (or passes --confirm CLIENT, once per client)."),
    "dns": Entry("cmd_dns", "command", "Route 53: the parent zone and each client's delegated zone."),
    "drift": Entry("cmd_run", "drift", "Plan sweep (-detailed-exitcode) reporting which client/layer pairs drifted; exit 1 if any did."),
    "graph": Entry("cmd_graph", "command", "Draw a graph."),
    "iac": Entry("cmd_iac", "command", "Verify the Terraform code offline (format, parse, provider schema, wiring, security, isolation)."),
    "lock": Entry("cmd_lock", "command", "Terraform state locks: lock-table items and S3 lockfiles of every state key of the platform."),
    "offboard": Entry("cmd_onboard", "offboard_cmd", "Offboard CLIENT: destroy its layers, delete its data and states, quarantine its CIDR (docs/onboarding.md)."),
    "onboard": Entry("cmd_onboard", "onboard_cmd", "Onboard CLIENT: the runbook's checklist as a resumable workflow (docs/onboarding.md)."),
    "pipeline": Entry("cmd_pipeline", "command", "Generate a CI definition running plan/apply per client x layer (KIND: github-actions, gitlab-ci, argo)."),
    "plan": Entry("cmd_run", "plan", "Plan every selected client x layer in graph order (no changes are made)."),
    "render": Entry("cmd_render", "command", "Render clients.auto.tfvars.json, backend.hcl and layer.tf (the shared prologue) for every layer, and cidr-registry.yaml."),
    "report": Entry("cmd_report", "command", "Work with run reports (.clientctl/runs/<run-id>/report.json)."),
    "s3": Entry("cmd_s3", "command", "Audit, destroy and rescue the platform's S3 buckets."),
    "sandbox": Entry("cmd_sandbox", "command", "The embedded AWS sandbox (moto server mode, HTTPS, on 127.0.0.1)."),
    "state": Entry("cmd_state", "command", "Versions of a client's Terraform state in the (versioned) state bucket, and restoring one."),
    "status": Entry("cmd_status", "command", "Every client's layers as read from the state bucket: present, serial, age, resources, locks."),
    "validate": Entry("cmd_validate", "command", "Run every registry, naming, IPAM and render-drift check (the runbook's validate-all)."),
}  # fmt: skip


class ClientctlGroup(click.Group):
    """The root group: commands imported on first use, and every error printed in the chosen output format."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command: click.Command = getattr(importlib.import_module(f"clientctl.cli.{entry.module}"), entry.attribute)
        _accept_global_options(command)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, _short(COMMANDS[name].help, limit)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        # Command names come from the table: completing `clientctl s<TAB>` imports no command module.
        found = [
            CompletionItem(name, help=entry.help) for name, entry in COMMANDS.items() if name.startswith(incomplete)
        ]
        return found + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx: click.Context) -> Any:
        # Errors are printed here, while the App knows the output format (-o json before or after the command).
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except click.ClickException as exc:
            emit_usage_error(exc, _output(ctx))
            raise click.exceptions.Exit(ExitCode.USAGE) from None
        except ClientctlError as exc:
            emit_error(exc, _output(ctx))
            raise click.exceptions.Exit(exc.exit_code) from None


def _short(text: str, limit: int) -> str:
    """``text`` cut at a word to fit ``limit``, as click shortens a command's help (its own function for this,
    ``click.utils._make_default_short_help``, is private in click 8.5)."""
    return text if len(text) <= limit else text[: max(limit - 3, 10)].rsplit(" ", 1)[0] + "..."


def _output(ctx: click.Context) -> str:
    """The output format errors are printed in: the App's (which a late ``-o`` also sets), else the group's
    own ``-o`` when the error came before the App existed (an unknown command)."""
    app = ctx.find_object(App)
    return app.output if app is not None else str(ctx.params.get("output") or "table")


@click.group(cls=ClientctlGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
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


def _late_global(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """Callback of a global option given after the command (``clientctl s3 verify -o json``): the group's
    callback has already made the App, so the value is set on it (awscli and kubectl accept both places)."""

    def store(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        app = ctx.find_object(App)
        if app is None or value in (None, 0):
            return
        if name == "output":
            app.output = value
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


def main() -> None:
    try:
        # standalone_mode=False returns the code of click.exceptions.Exit instead of exiting
        rc = cli.main(prog_name="clientctl", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(ExitCode.USAGE)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # a wrong global option, before any command ran
        emit_usage_error(exc, "table")
        sys.exit(ExitCode.USAGE)
    except ClientctlError as exc:
        emit_error(exc, "table")
        sys.exit(exc.exit_code)
    sys.exit(rc if isinstance(rc, int) else ExitCode.OK)
