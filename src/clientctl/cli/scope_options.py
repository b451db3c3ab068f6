"""The option that lets a command act on a project/region/environment platform.yaml does not list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def ignore_registry_option(func: F) -> F:
    """``--ignore-registry``: inside a repository, values contradicting platform.yaml are refused without it."""
    return click.option(
        "--ignore-registry",
        is_flag=True,
        help="Accept a --project-name/--region/--environment that platform.yaml does not list.",
    )(func)
