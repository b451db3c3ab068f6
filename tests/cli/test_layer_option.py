"""Every ``--layer`` option accepts the same forms (``01-foundation``, ``01``, ``1``, ``foundation``, any case)
through one parser (clientctl.layers.resolve_layer), and refuses a wrong one listing the layers (exit 2)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from clientctl.layers import LAYER_NAMES, UnknownLayer, resolve_layer
from tests.helpers import Runner, command_at, leaf_commands

FORMS = {
    "01-foundation": ["01-foundation", "01", "1", "foundation", "FOUNDATION", " 01 "],
    "02-platform": ["02-platform", "02", "2", "platform"],
    "03-database": ["03-database", "03", "3", "database", "Database"],
    "04-standalone-compute": ["04-standalone-compute", "04", "4", "standalone-compute"],
    "05-cluster-services": ["05-cluster-services", "05", "5", "cluster-services", "005"],
    "06-observability": ["06-observability", "06", "6", "observability"],
}
WRONG = ["99", "0", "7", "databse", "01-platform", "", "foundation-01"]


def layer_commands() -> list[tuple[str, ...]]:
    return [p for p in leaf_commands() if any("--layer" in getattr(x, "opts", []) for x in command_at(p).params)]


def invocation(path: tuple[str, ...], layer: str) -> list[str]:
    """PATH nobody --layer LAYER plus a dummy for every other required option: parsing must get past
    --layer and then stop at the unknown client, before any AWS call or Terraform run."""
    kind = ["gitlab-ci"] if path == ("pipeline",) else []  # `pipeline KIND CLIENT...`
    args = [*path, *kind, "nobody", "--layer", layer]
    for param in command_at(path).params:
        if isinstance(param, click.Option) and param.required and "--layer" not in param.opts:
            args += [param.opts[0], "x"]
    return args


def test_the_layer_commands_are_found() -> None:
    found = set(layer_commands())
    assert found == {
        ("plan",),
        ("apply",),
        ("destroy",),
        ("drift",),
        ("status",),
        ("state", "versions"),
        ("state", "restore"),
        ("pipeline",),
    }


def test_resolve_layer_maps_every_form() -> None:
    assert set(FORMS) == set(LAYER_NAMES)
    for name, forms in FORMS.items():
        for form in forms:
            assert resolve_layer(form) == name, form
    for text in WRONG:
        with pytest.raises(UnknownLayer):
            resolve_layer(text)


@pytest.mark.parametrize("path", layer_commands(), ids=" ".join)
def test_every_layer_option_accepts_every_form(repo: Path, cli: Runner, path: tuple[str, ...]) -> None:
    for forms in FORMS.values():
        for form in forms:
            result = cli(*invocation(path, form), cwd=repo)
            assert result.code == 2, (form, result.text)
            assert "unknown client 'nobody'" in result.text, (form, result.text)
            assert "unknown layer" not in result.text and "Traceback" not in result.text


@pytest.mark.parametrize("path", layer_commands(), ids=" ".join)
def test_every_layer_option_refuses_a_wrong_one_listing_the_layers(
    repo: Path, cli: Runner, path: tuple[str, ...]
) -> None:
    for text in WRONG:
        result = cli(*invocation(path, text), cwd=repo)
        assert result.code == 2, (text, result.text)
        assert f"unknown layer {text!r}" in result.text, result.text
        assert all(name in result.text for name in LAYER_NAMES), result.text
        assert "unknown client" not in result.text and "Traceback" not in result.text
    suggested = cli(*invocation(path, "databse"), cwd=repo)
    assert "did you mean 03-database?" in suggested.text
