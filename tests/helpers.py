"""Helpers shared by tests (importable as ``tests.helpers``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


Runner = Callable[..., Result]

#: The sample registry's first client file, the one most bad-input tests break.
ACME = "clients/acme-corp.yaml"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: to prove a failed command changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".clientctl" not in p.parts
    }


def copy_registry(src: Path, root: Path) -> Path:
    """Copy the registry of ``src`` (platform.yaml, clients/, the ledger, every rendered input) into ``root``."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(src / "platform.yaml", root / "platform.yaml")
    shutil.copytree(src / "clients", root / "clients")
    if (src / "cidr-registry.yaml").exists():
        shutil.copy(src / "cidr-registry.yaml", root / "cidr-registry.yaml")
    for path in (src / "providers").rglob("*"):
        if path.name in ("clients.auto.tfvars.json", "backend.hcl"):
            target = root / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` in ``root/rel`` by ``new`` (``old`` must be there)."""
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def assert_clean_failure(result_code: int, text: str, expected_code: int, *needles: str) -> None:
    """The exit code expected, no traceback, and every needle in the output."""
    assert result_code == expected_code, text
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, f"{needle!r} missing from:\n{text}"


def subcommands(group: click.Group) -> list[tuple[str, click.Command]]:
    """The group's commands by name, loaded the way click does (the root group loads them lazily)."""
    ctx = click.Context(group)
    found = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    return sorted((name, command) for name, command in found if command is not None)


def root_command() -> click.Group:
    from clientctl.cli import cli

    assert isinstance(cli, click.Group)
    return cli


def leaf_commands(group: click.Group | None = None, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every runnable command path (``("s3", "verify")``, ``("plan",)``)."""
    for name, command in subcommands(group or root_command()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from leaf_commands(command, path)
        else:
            yield path


def command_paths(group: click.Group | None = None, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path, groups included."""
    for name, command in subcommands(group or root_command()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = root_command()
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, path
        command = found
    return command
