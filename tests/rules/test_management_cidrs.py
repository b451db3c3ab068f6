"""platform.yaml network.management_cidrs: required, never the whole IPv4 space, never wider than
network.management_cidrs_max_addresses. Checked through the CLI on a copy of the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Runner

SAMPLE = "  management_cidrs: [203.0.113.0/24]\n"


def _set(repo: Path, replacement: str) -> int | None:
    """Replace the sample line; return the 1-based line of the replacement's first line (None when removed)."""
    path = repo / "platform.yaml"
    text = path.read_text()
    assert SAMPLE in text
    line = text[: text.index(SAMPLE)].count("\n") + 1
    path.write_text(text.replace(SAMPLE, replacement))
    return line if replacement else None


@pytest.mark.parametrize(
    ("replacement", "rule", "value", "needle"),
    [
        ("  management_cidrs: [0.0.0.0/0]\n", "platform.management-cidrs-open", "0.0.0.0/0", "whole IPv4 space"),
        (
            "  management_cidrs: [0.0.0.0/1, 128.0.0.0/1]\n",
            "platform.management-cidrs-open",
            "0.0.0.0/1, 128.0.0.0/1",
            "whole IPv4 space",
        ),
        (
            "  management_cidrs: [10.0.0.0/8]\n",
            "platform.management-cidrs-too-wide",
            "10.0.0.0/8",
            "16777216 addresses, more than network.management_cidrs_max_addresses (65536)",
        ),
    ],
)
def test_open_or_too_wide_management_cidrs_are_refused(
    repo: Path, cli: Runner, replacement: str, rule: str, value: str, needle: str
) -> None:
    line = _set(repo, replacement)
    result = cli("validate", cwd=repo)
    out = result.out + result.err
    assert result.code == 2, out
    assert f"platform.yaml:{line}:" in out and "network.management_cidrs" in out
    assert f"[{rule}]" in out and value in out and needle in out
    assert "Traceback" not in out


def test_the_limit_is_a_platform_setting(repo: Path, cli: Runner) -> None:
    _set(repo, "  management_cidrs: [10.0.0.0/8]\n  management_cidrs_max_addresses: 16777216\n")
    assert cli("validate", cwd=repo).code != 2


def test_missing_management_cidrs_are_refused_with_what_to_write(repo: Path, cli: Runner) -> None:
    _set(repo, "")
    result = cli("validate", cwd=repo)
    out = result.out + result.err
    assert result.code == 2, out
    assert "platform.yaml" in out and "network.management_cidrs" in out and "required key" in out
    assert "egress CIDRs" in out and "Traceback" not in out
