"""Shared state of one CLI invocation and the output helpers every command uses."""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from clientctl import paths
from clientctl.errors import ClientctlError, Finding

if TYPE_CHECKING:
    from clientctl.orchestrator.engine import RunControl
    from clientctl.registry import Registry


@dataclass
class App:
    root_option: str | None
    output: str = "table"
    verbose: int = 0
    _registry: Registry | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        level = logging.WARNING if self.verbose == 0 else logging.INFO if self.verbose == 1 else logging.DEBUG
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)

    @property
    def json(self) -> bool:
        return self.output == "json"

    @property
    def root(self) -> Path:
        if self.root_option is not None:
            root = Path(self.root_option)
            if not (root / paths.PLATFORM_FILE).is_file():
                from clientctl.errors import ConfigError

                raise ConfigError(
                    f"--root {self.root_option}: no platform.yaml in that folder",
                    hint="point --root at the repository root",
                )
            return root.resolve()
        from clientctl.registry import find_root  # commands load lazily: `clientctl --help` imports no registry

        return find_root(Path.cwd())

    def registry(self) -> Registry:
        if self._registry is None:
            from clientctl.edits import recover_registry
            from clientctl.rules import load_registry

            # A change a killed clientctl left half-written is completed before anything reads the registry.
            recovery = recover_registry(self.root)
            if recovery is not None:
                click.echo(f"clientctl: {recovery.message()}", err=True)
            self._registry = load_registry(self.root)
        return self._registry


pass_app = click.make_pass_decorator(App)

F = TypeVar("F", bound=Callable[..., Any])


def output_option(*choices: str) -> Callable[[F], F]:
    """A command-level ``--output`` (also accepted after the subcommand; default: the global ``-o``)."""
    return click.option(
        "--output",
        "fmt",
        type=click.Choice(list(choices or ("table", "json"))),
        default=None,
        help="Output format (default: the global --output).",
    )


def use_output(app: App, fmt: str | None) -> str:
    """Resolve a command-level ``--output``; ``json`` there also makes errors JSON, as ``-o json`` does."""
    if fmt is not None:
        app.output = fmt  # errors are printed in app.output too (cli.ClientctlGroup.invoke)
    return app.output


def print_json(data: dict[str, Any]) -> None:
    """Every ``-o json`` output: one object whose ``ok`` agrees with the exit code (README "JSON output");
    lists and other payloads sit under a named key."""
    if "ok" not in data:
        raise TypeError("a JSON output needs 'ok' (README: JSON output)")
    click.echo(json.dumps({"ok": data["ok"], **data}, indent=2, sort_keys=False, default=str))


def print_findings(findings: list[Finding], *, err: bool = True) -> None:
    for finding in findings:
        color = "red" if finding.level == "error" else "yellow"
        click.secho(finding.render(), fg=color, err=err)


def emit_usage_error(exc: click.ClickException, output: str) -> None:
    """A click usage error (bad flag, wrong value): JSON like :func:`emit_error` under ``-o json``."""
    if output != "json":
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    print_json(
        {
            "ok": False,
            "exit_code": 2,
            "error": exc.format_message(),
            "hint": f"see `{ctx.command_path} --help`" if ctx is not None else None,
            "findings": [],
        }
    )


def emit_error(exc: ClientctlError, output: str) -> None:
    if output == "json":
        print_json(
            {
                "ok": False,
                "exit_code": int(exc.exit_code),
                "error": exc.message,
                "hint": exc.hint,
                "findings": [f.to_dict() for f in exc.findings],
            }
        )
        return
    print_findings(exc.findings)
    click.secho(f"error: {exc.message}", fg="red", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


@contextmanager
def interrupts(control: RunControl) -> Iterator[None]:
    """Ctrl-C goes to ``control`` (once: stop scheduling, twice: interrupt Terraform, three times: kill) while
    a run is in progress; the previous handler is restored afterwards."""
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda _sig, _frame: control.interrupt())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
