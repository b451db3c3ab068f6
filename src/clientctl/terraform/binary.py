"""The Terraform CLI itself: where it is, which version it is, which constraints that version meets, and the
base environment every call starts from.

One place for all four, used by the runner (plan/apply/destroy/drift, onboard, offboard) and by
``clientctl iac check`` / ``clientctl validate`` (fmt, validate, test), so both find the same binary and read
``~>`` the same way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from clientctl.errors import ConfigError

#: What to tell someone whose Terraform is missing or unusable.
INSTALL_HINT = "run ./dev setup (installs .venv/bin/terraform) or pass --terraform PATH"


def _candidates(root: Path | None) -> Iterator[Path]:
    yield Path(sys.prefix) / "bin" / "terraform"  # the virtualenv clientctl runs from (./dev setup)
    yield Path(sys.executable).parent / "terraform"
    if root is not None:
        yield root / ".venv" / "bin" / "terraform"


def find(explicit: str | Path | None = None, root: Path | None = None) -> Path | None:
    """``--terraform`` / ``$CLIENTCTL_TERRAFORM`` when given, else the one ``./dev setup`` installs beside this
    interpreter (or in ``root``'s .venv), else ``terraform`` on PATH; None when there is none."""
    if explicit:
        return Path(explicit)
    for candidate in _candidates(root):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("terraform")
    return Path(found) if found else None


def require(explicit: str | Path | None = None, root: Path | None = None) -> Path:
    """:func:`find`, or a :class:`ConfigError` that says how to get one."""
    found = find(explicit, root)
    if found is None:
        raise ConfigError("no Terraform CLI found", hint=INSTALL_HINT)
    return found


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every Terraform call starts from: ``base`` (default: this process's), non-interactive,
    and without a ``TF_CLI_CONFIG_FILE`` that points nowhere (Terraform would warn about it on every call)."""
    env = dict(os.environ if base is None else base)
    config = env.get("TF_CLI_CONFIG_FILE")
    if config and not Path(config).exists():
        env["TF_CLI_CONFIG_FILE"] = os.devnull
    env["TF_IN_AUTOMATION"] = "1"
    return env


def version(binary: Path, env: Mapping[str, str]) -> str:
    """``terraform version -json``'s version; a :class:`ConfigError` when the binary cannot say."""
    try:
        proc = subprocess.run(
            [str(binary), "version", "-json"],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"cannot run Terraform at {binary}: {exc}", hint=INSTALL_HINT) from None
    try:
        return str(json.loads(proc.stdout)["terraform_version"])
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{binary} did not report a version (exit {proc.returncode}): {proc.stderr.strip()[:300]}",
            hint="pass --terraform PATH to a Terraform CLI",
        ) from None


# ---------------------------------------------------------------------------------------------- constraints

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_CONSTRAINT = re.compile(r"^\s*(>=|<=|!=|~>|>|<|=)?\s*(v?\d+(?:\.\d+){0,2})\s*$")
_REQUIRED = re.compile(r"required_version\s*=\s*\"([^\"]+)\"")


def parse_version(text: str) -> tuple[int, int, int]:
    """``1.15.5`` -> (1, 15, 5); ``1.15`` -> (1, 15, 0). ValueError when it is not a version."""
    match = _VERSION.match(text.strip())
    if not match:
        raise ValueError(f"not a version: {text!r}")
    return (int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))


def _satisfies_one(have: tuple[int, int, int], constraint: str) -> bool:
    match = _CONSTRAINT.match(constraint)
    if not match:
        raise ValueError(f"cannot read version constraint {constraint.strip()!r}")
    op = match.group(1) or "="
    raw = match.group(2)
    want = parse_version(raw)
    if op == "~>":
        # Pessimistic: "~> 1.10" allows 1.x >= 1.10; "~> 1.10.2" allows 1.10.x >= 1.10.2; "~> 6" allows >= 6.
        parts = raw.lstrip("v").split(".")
        if len(parts) >= 3:
            return have >= want and have[:2] == want[:2]
        if len(parts) == 2:
            return have >= want and have[0] == want[0]
        return have >= want
    compare = {
        "=": have == want,
        "!=": have != want,
        ">=": have >= want,
        "<=": have <= want,
        ">": have > want,
        "<": have < want,
    }
    return compare[op]


def satisfies(version: str, constraints: str) -> bool:
    """Whether ``version`` meets a Terraform version constraint string (``required_version`` or a provider's
    ``version``: comma-separated, all must hold). ValueError when either cannot be read."""
    have = parse_version(version)
    return all(_satisfies_one(have, c) for c in constraints.split(",") if c.strip())


def required_versions(folder: Path) -> list[tuple[str, str]]:
    """(file name, constraint) of every ``required_version`` in the folder's .tf files."""
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.tf")):
        for match in _REQUIRED.finditer(path.read_text(encoding="utf-8")):
            found.append((path.name, match.group(1)))
    return found
