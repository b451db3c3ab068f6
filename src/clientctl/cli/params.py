"""Parameter types shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.shell_completion import CompletionItem

from clientctl.layers import LAYER_NAMES, UnknownLayer, resolve_layer

if TYPE_CHECKING:
    _ParamType = click.ParamType[str, Any]  # generic from click 8.2; pyproject allows 8.1
else:
    _ParamType = click.ParamType


class LayerType(_ParamType):
    """A ``--layer`` value in any form :func:`clientctl.layers.resolve_layer` accepts, converted to the
    layer's full name; a wrong one is a usage error (exit 2) that lists the layers."""

    name = "layer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in LAYER_NAMES:
            return str(value)
        try:
            return resolve_layer(str(value))
        except UnknownLayer as exc:
            self.fail(f"{exc}; {exc.hint}", param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(name) for name in LAYER_NAMES if name.startswith(incomplete)]


LAYER = LayerType()
F = TypeVar("F", bound=Callable[..., Any])
LAYER_HELP = "01-foundation, 01, 1 or foundation"

BASE_HELP = "Git revision to compare with (default: the merge base of HEAD with the default branch)."
HEAD_HELP = "Git revision with the change (default: the working tree, uncommitted and untracked files included)."


def base_head_options(func: F) -> F:
    """``--base REF`` / ``--head REF``, the same in ``affected``, ``plan --affected`` and ``pipeline --affected``."""
    func = click.option("--head", "head", metavar="REF", default=None, help=HEAD_HELP)(func)
    return click.option("--base", "base", metavar="REF", default=None, help=BASE_HELP)(func)
