"""The option sets commands share, declared once: the same flag means the same thing in every command.

* :func:`selection_options`: ``CLIENT...``, ``--all``, ``--layer`` (plan/apply/destroy/drift, pipeline).
* :func:`terraform_options`: ``--parallelism``, ``--lock-timeout``, ``--terraform`` (runs, onboard, offboard).
* :func:`client_options` and :func:`client_request`: a new client's fields (``client add``, ``onboard``).
* :func:`yes_option` and :func:`confirm_option`: the one confirmation rule (see :mod:`clientctl.cli.prompts`):
  ``--yes`` answers every yes/no question; destroying something named asks to type its name, which
  ``--confirm NAME`` gives on the command line.
* :func:`base_head_options`, :func:`ignore_registry_option` and the ``LAYER`` parameter type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.shell_completion import CompletionItem

from clientctl.layers import LAYER_NAMES, UnknownLayer, resolve_layer

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from clientctl.registry.edit import ClientRequest

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
LAYER_HELP = "01-foundation, 01, 1 or foundation"

BASE_HELP = "Git revision to compare with (default: the merge base of HEAD with the default branch)."
HEAD_HELP = "Git revision with the change (default: the working tree, uncommitted and untracked files included)."


def base_head_options(func: F) -> F:
    """``--base REF`` / ``--head REF``, the same in ``affected``, ``plan --affected`` and ``pipeline --affected``."""
    func = click.option("--head", "head", metavar="REF", default=None, help=HEAD_HELP)(func)
    return click.option("--base", "base", metavar="REF", default=None, help=BASE_HELP)(func)


def _apply(func: F, options: Sequence[Callable[[F], F]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def ignore_registry_option(func: F) -> F:
    """``--ignore-registry``: inside a repository, values contradicting platform.yaml are refused without it."""
    return click.option(
        "--ignore-registry",
        is_flag=True,
        help="Accept a --project-name/--region/--environment that platform.yaml does not list.",
    )(func)


def selection_options(*, all_help: str = "Every client of the registry.") -> Callable[[F], F]:
    """``CLIENT...``, ``--all`` and ``--layer``: which client x layer pairs a command acts on."""
    return lambda func: _apply(
        func,
        [
            click.argument("clients", nargs=-1),
            click.option("--all", "all_clients", is_flag=True, help=all_help),
            click.option(
                "--layer",
                "layers",
                multiple=True,
                type=LAYER,
                metavar="LAYER",
                help=f"Only these layers (repeat; {LAYER_HELP}).",
            ),
        ],
    )


def check_selection(clients: Sequence[str], all_clients: bool) -> None:
    """Client names or ``--all``, not both (usage error)."""
    if all_clients and clients:
        raise click.UsageError("give client names or --all, not both")


def terraform_options(func: F) -> F:
    """How Terraform runs: ``--parallelism``, ``--lock-timeout``, ``--terraform`` (or $CLIENTCTL_TERRAFORM)."""
    return _apply(
        func,
        [
            click.option(
                "--parallelism",
                type=click.IntRange(1, 64),
                default=4,
                show_default=True,
                help="Max Terraform runs at once.",
            ),
            click.option(
                "--lock-timeout",
                default="300s",
                show_default=True,
                help="How long Terraform waits for a held state lock before failing (-lock-timeout).",
            ),
            click.option(
                "--terraform",
                "terraform",
                envvar="CLIENTCTL_TERRAFORM",
                default=None,
                help="Terraform CLI to run (default: the one ./dev setup installs in .venv, else PATH).",
            ),
        ],
    )


def client_options(func: F) -> F:
    """A new client's fields: ``--tier --code --environment --vpc-cidr --prefix-length --full-name
    --contact-email --cost-center --set`` (``--region`` is the command's own: ``onboard`` shares the AWS one)."""
    return _apply(
        func,
        [
            click.option("--tier", default="standard", show_default=True, help="Tier preset from platform.yaml."),
            click.option("--code", default=None, help="client_code (default: the name in upper case)."),
            click.option("--environment", default=None, help="Environment (default: the first of platform.yaml)."),
            click.option(
                "--vpc-cidr",
                default="auto",
                show_default=True,
                help="A CIDR, or 'auto' to allocate the next free block.",
            ),
            click.option(
                "--prefix-length", type=click.IntRange(16, 28), default=None, help="Size of an auto-allocated block."
            ),
            click.option("--full-name", default=None, help="metadata.full_name (default: from the name)."),
            click.option("--contact-email", default=None, help="metadata.contact_email (required)."),
            click.option("--cost-center", default=None, help="metadata.cost_center (default: CC-<code>)."),
            click.option(
                "--set",
                "sets",
                multiple=True,
                metavar="PATH=VALUE",
                help="Set any field, e.g. --set eks.desired_size=3.",
            ),
        ],
    )


#: The parameter names :func:`client_options` adds, popped by :func:`client_request`.
CLIENT_FIELDS = (
    "tier",
    "code",
    "environment",
    "vpc_cidr",
    "prefix_length",
    "full_name",
    "contact_email",
    "cost_center",
    "sets",
)


def client_request(name: str, region: str | None, fields: dict[str, Any]) -> ClientRequest:
    """The :class:`ClientRequest` of :func:`client_options`' values (taken out of ``fields``)."""
    from clientctl.registry.edit import ClientRequest

    return ClientRequest(name=name, region=region, **{key: fields.pop(key) for key in CLIENT_FIELDS})


def yes_option(*, force_alias: bool = False, dest: str = "yes", extra: Sequence[str] = ()) -> Callable[[F], F]:
    """``--yes``/``-y``: answer yes to every yes/no question of the command. ``force_alias`` also accepts
    ``--force``, the flag the replaced runbook scripts used for the same thing; ``extra`` adds other
    established names (``--auto-approve``, Terraform's)."""
    names = [*extra, "--yes", "-y", *(["--force"] if force_alias else [])]
    also = [n for n in names if n not in ("--yes", "-y")]
    return click.option(
        *names,
        dest,
        is_flag=True,
        help="Answer yes to every question (automation)." + (f" Also: {', '.join(also)}." if also else ""),
    )


def confirm_option(noun: str) -> Callable[[F], F]:
    """``--confirm NAME`` (repeatable): the names of the things being destroyed, typed on the command line
    instead of at the prompt; each must name one of them."""
    return click.option(
        "--confirm",
        "confirmed",
        multiple=True,
        metavar=noun.upper(),
        help=f"Confirm destroying this {noun} without a prompt (repeat for several; must match exactly).",
    )
