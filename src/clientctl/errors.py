"""Errors, findings and exit codes.

Exit codes (documented in the README):
  0  everything ok
  1  checks ran and at least one failed (validation findings, drift, audit failures)
  2  usage or configuration error (bad flag, unreadable or invalid file, missing platform.yaml)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, Final, Literal

#: Longest value echoed in a message; a longer one is cut and its length said (a 100k-character field
#: must not flood the terminal or a CI log).
MAX_ECHO: Final = 80


def clip(value: str, limit: int = MAX_ECHO) -> str:
    """``value`` itself, or its first ``limit`` characters and how long it really is."""
    return value if len(value) <= limit else f"{value[:limit]}... ({len(value):,} characters)"


class ExitCode(IntEnum):
    OK = 0
    CHECKS_FAILED = 1
    USAGE = 2


Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem found by a check: where, what rule, and what to do about it."""

    rule: str
    message: str
    level: Level = "error"
    file: str | None = None
    line: int | None = None
    field: str | None = None
    value: str | None = None
    hint: str | None = None
    client: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None:
            object.__setattr__(self, "value", clip(self.value))

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def render(self) -> str:
        parts = []
        loc = self.location()
        if loc:
            parts.append(loc + ":")
        parts.append(f"{self.level} [{self.rule}]")
        if self.field:
            parts.append(f"{self.field}:")
        parts.append(self.message)
        text = " ".join(parts)
        if self.value is not None and self.value not in self.message:
            text += f" (value: {self.value!r})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class ClientctlError(Exception):
    """An error meant for the user: printed without a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None, findings: list[Finding] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.findings: list[Finding] = findings or []


class ConfigError(ClientctlError):
    """A configuration file is missing, unreadable or invalid (exit 2)."""

    exit_code = ExitCode.USAGE


class ChecksFailed(ClientctlError):
    """Checks ran and found errors (exit 1)."""

    exit_code = ExitCode.CHECKS_FAILED


@contextmanager
def refused_request_is_usage_error() -> Iterator[None]:
    """Turn a failed check into a usage/configuration error (exit 2) around code that checks a *request*.

    ``client add``/``client set``/``onboard`` validate the registry as it would be with the user's values;
    when that fails, the values (a bad tier, a duplicate or malformed CIDR, a name too long for an AWS
    limit, a full pool in platform.yaml) were refused: nothing was checked-and-found-failing in the README's
    exit-1 sense ("checks ran and failed"), so the README's exit 2 applies. Message, hint and findings
    are kept as they are.
    """
    try:
        yield
    except ChecksFailed as exc:
        raise ConfigError(exc.message, hint=exc.hint, findings=exc.findings) from None


def rel(path: Path, root: Path | None) -> str:
    """Show a path relative to the repository root when possible."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)
