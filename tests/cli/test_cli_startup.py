"""Lazy command loading (cli/__init__.py): the command table stays true, and `--help` and completion import
no command module or heavy dependency. Timings are in benchmarks/cli_startup.py, not here."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest

from clientctl.cli import COMMANDS
from clientctl.cli import cli as root_group
from tests.helpers import Runner

HEAVY = ("boto3", "botocore", "pydantic", "hcl2", "yaml", "clientctl.registry", "clientctl.rules", "clientctl.cli.cmd_")


def test_command_table_matches_the_commands() -> None:
    for name, entry in COMMANDS.items():
        command = getattr(importlib.import_module(f"clientctl.cli.{entry.module}"), entry.attribute)
        assert isinstance(command, click.Command), name
        assert command.name == name
        assert command.get_short_help_str(limit=1000) == entry.help, f"COMMANDS[{name!r}].help is stale"


def _imported_by(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(__import__('json').dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    modules: list[str] = json.loads(out.strip().splitlines()[-1])
    return [m for m in modules if m.startswith(HEAVY)]


def test_help_imports_no_command_module() -> None:
    code = "from clientctl.cli import cli\ntry:\n    cli.main(['--help'], prog_name='clientctl')\nexcept SystemExit:\n    pass"
    assert _imported_by(code) == []


def test_completing_a_command_name_imports_no_command_module() -> None:
    code = (
        "from clientctl.cli import cli\n"
        "from click.shell_completion import BashComplete\n"
        "items = BashComplete(cli, {}, 'clientctl', '_CLIENTCTL_COMPLETE').get_completions([], 's')\n"
        "assert [i.value for i in items] == ['s3', 'sandbox', 'state', 'status'], items"
    )
    assert _imported_by(code) == []


def test_completion_goes_on_into_a_command() -> None:
    from click.shell_completion import BashComplete

    items = BashComplete(root_group, {}, "clientctl", "_CLIENTCTL_COMPLETE").get_completions(["s3"], "")
    assert {"verify", "destroy", "emergency-cleanup"} <= {i.value for i in items}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(cli: Runner, shell: str) -> None:
    result = cli("completion", shell)
    assert result.code == 0 and "_CLIENTCTL_COMPLETE" in result.out


def test_unknown_command_error_honours_output(cli: Runner) -> None:
    result = cli("-o", "json", "nosuch")
    assert result.code == 2 and json.loads(result.out)["error"] == "No such command 'nosuch'."
