"""Every `clientctl ...` command the runbooks and the README show exists, with the options they use."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from clientctl.cli import cli
from tests.conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs" / "runbooks").glob("*.md"))]
GLOBAL_OPTIONS = {"--root", "--output", "-o", "-v", "--verbose", "--version", "-h", "--help"}


def invocations() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for snippet in re.findall(r"`(clientctl [^`]+)`", doc.read_text(encoding="utf-8")):
            found.append((doc.name, snippet))
    return found


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    rest = list(words)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(click.Context(command), rest[0])
        if sub is None:
            break
        command, rest = sub, rest[1:]
    return command, rest


def option_names(command: click.Command) -> set[str]:
    names: set[str] = set(GLOBAL_OPTIONS)
    for param in command.params:
        names.update(getattr(param, "opts", []))
        names.update(getattr(param, "secondary_opts", []))
    return names


@pytest.mark.parametrize(("doc", "snippet"), invocations(), ids=[f"{d}:{s}" for d, s in invocations()])
def test_documented_command_exists(doc: str, snippet: str) -> None:
    words = shlex.split(snippet.replace("...", "").replace("|", " "))[1:]
    words = [w for w in words if not w.startswith("[") and not w.endswith("]")]
    # skip leading global options and their values
    while words and words[0] in ("--root", "--output", "-o"):
        words = words[2:]
    command, rest = resolve(words)
    assert command is not cli, f"{doc}: `{snippet}`: no such command"
    assert not isinstance(command, click.Group), f"{doc}: `{snippet}` names a group, not a command"
    known = option_names(command)
    for word in rest:
        if word.startswith("--"):
            name = word.split("=", 1)[0]
            assert name in known, f"{doc}: `{snippet}`: {command.name} has no option {name}"
