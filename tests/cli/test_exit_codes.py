"""README's exit codes, command by command: an invalid value is a usage/config error (exit 2, no traceback).

The click tree is walked, so a new command without a case here fails ``test_every_command_has_a_case``.
Every case names what the error must mention, so exit 2 for another reason (say, AWS unreachable:
AWS_ENDPOINT_URL points at a closed port) does not pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from clientctl.cli.options import LayerType
from tests.helpers import Runner, command_at, leaf_commands, snapshot

TOO_LONG = "a" * 64  # one over a DNS label (63, naming.CLIENT_NAME_MAX); longer AWS names are fitted (ADR-002)
NEW = ("--contact-email", "ops@hooli.example")


# command path -> [(arguments after the path, what the error must mention)]
CASES: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = {
    ("affected",): [(("--base", "no-such-ref"), "no-such-ref")],
    ("pipeline",): [(("jenkins",), "unknown pipeline kind 'jenkins'")],
    ("cidr", "move"): [(("acme-corp", "10.100.0.0/33"), "10.100.0.0/33")],
    ("report", "merge"): [(("/nonexistent/report.json",), "no such file or folder")],
    ("backend", "provision"): [(("--backend-only", "--observability-only"), "exclude each other")],
    ("cidr", "allocate"): [(("--region", "mars-1"), "unknown region 'mars-1'")],
    ("cidr", "map"): [(("-o", "/dev/null/pools.svg"), "cannot write /dev/null/pools.svg")],
    ("cidr", "plan"): [(("Hooli",), "unknown client 'Hooli'")],
    ("cidr", "validate"): [(("extra",), "unexpected extra argument")],
    ("client", "add"): [
        (("Hooli", *NEW), "invalid client name 'Hooli'"),
        ((TOO_LONG, *NEW), "1-63 lower-case letters"),
        (("hooli", "--tier", "gold", *NEW), "tier 'gold' is not defined"),
        (("hooli", "--vpc-cidr", "10.300.0.0/16", *NEW), "10.300.0.0/16"),
        (("hooli", "--vpc-cidr", "10.101.0.0/16", *NEW), "ipam.duplicate"),
        (("hooli", "--region", "mars-1", *NEW), "region 'mars-1' is not under 'regions'"),
    ],
    ("client", "list"): [(("extra",), "unexpected extra argument")],
    ("client", "set"): [
        (("acme-corp", "tier=gold"), "tier 'gold' is not defined"),
        (("acme-corp", "network.vpc_cidr=10.101.0.0/16"), "ipam.duplicate"),
        (("acme-corp", "eks.desired_size=9"), "eks.sizing"),
        (("Hooli", "tier=premium"), "unknown client 'Hooli'"),
    ],
    ("client", "show"): [(("Hooli",), "unknown client 'Hooli'")],
    ("cost", "estimate"): [(("Hooli",), "unknown client 'Hooli'")],
    ("cost", "report"): [(("--month", "2026-13"), "--month 2026-13")],
    ("dns", "setup-parent"): [(("--sandbox", "--endpoint-url", "http://127.0.0.1:9"), "cannot be combined")],
    ("dns", "verify"): [(("Hooli",), "unknown client 'Hooli'")],
    ("dns", "record", "add"): [
        (("Hooli", "api", "A", "192.0.2.1"), "unknown client 'Hooli'"),
        (("acme-corp", "api.globex.ezra.world", "A", "192.0.2.1"), "outside the client's zone"),
        (("acme-corp", "api", "NS", "ns1.example.net"), "record type 'NS'"),
    ],
    ("dns", "record", "list"): [(("Hooli",), "unknown client 'Hooli'")],
    ("dns", "record", "delete"): [
        (("Hooli", "api", "A", "192.0.2.1", "--yes"), "unknown client 'Hooli'"),
        (("acme-corp", "ezra.world", "A", "192.0.2.1", "--yes"), "outside the client's zone"),
    ],
    ("db", "snapshot"): [(("Hooli",), "unknown client 'Hooli'")],
    ("completion",): [(("tcsh",), "'tcsh' is not one of")],
    ("graph",): [(("--layers", "--format", "png"), "'png' is not one of")],
    ("iac", "check"): [(("--path", "/nonexistent/folder"), "does not exist")],
    ("iac", "isolation"): [(("--path", "/nonexistent/folder"), "does not exist")],
    ("lock", "list"): [(("--limit", "0"), "0 is not in the range")],
    ("lock", "release"): [(("some-id", "--min-age", "-1"), "-1 is not in the range")],
    ("onboard",): [
        (("Hooli", "--dry-run", *NEW), "invalid client name 'Hooli'"),
        ((TOO_LONG, "--dry-run", *NEW), "1-63 lower-case letters"),
        (("hooli", "--tier", "gold", "--dry-run", *NEW), "tier 'gold' is not defined"),
        (("hooli", "--vpc-cidr", "10.0.0/16", "--dry-run", *NEW), "10.0.0/16"),
    ],
    ("offboard",): [(("Hooli", "--dry-run"), "unknown client 'Hooli'")],
    ("plan",): [(("Hooli",), "unknown client 'Hooli'"), (("acme-corp", "--layer", "99"), "unknown layer '99'")],
    ("apply",): [(("acme-corp", "--layer", "bogus", "--auto-approve"), "unknown layer 'bogus'")],
    ("destroy",): [(("acme-corp", "--layer", "bogus", "--auto-approve"), "unknown layer 'bogus'")],
    ("drift",): [(("acme-corp", "--layer", "bogus"), "unknown layer 'bogus'")],
    ("render",): [(("extra",), "unexpected extra argument")],
    ("s3", "destroy"): [(("--bucket", "not-ours"), "--bucket not-ours is not one of this platform's buckets")],
    ("s3", "emergency-cleanup"): [(("--bucket", "not-ours"), "--bucket not-ours is not one of")],
    ("s3", "verify"): [(("--min-severity", "urgent"), "'urgent' is not one of")],
    ("sandbox", "env"): [(("extra",), "unexpected extra argument")],
    ("sandbox", "start"): [(("--port", "70000"), "70000 is not in the range")],
    ("sandbox", "status"): [(("extra",), "unexpected extra argument")],
    ("sandbox", "stop"): [(("extra",), "unexpected extra argument")],
    ("state", "restore"): [(("acme-corp", "--layer", "99", "--version-id", "v1"), "unknown layer '99'")],
    ("state", "versions"): [(("Hooli", "--layer", "01"), "unknown client 'Hooli'")],
    ("status",): [(("--layer", "99"), "unknown layer '99'")],
    ("validate",): [(("--only", "bogus"), "'bogus' is not one of")],
}


@pytest.fixture(autouse=True)
def _no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any case that reached AWS would fail on a closed port with a different message (and fast)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_every_command_has_a_case() -> None:
    leaves = set(leaf_commands())
    assert len(leaves) > 30  # the walk really found the tree
    assert leaves - set(CASES) == set(), "commands without an invalid-value case"
    assert set(CASES) - leaves == set(), "cases for commands that do not exist"


@pytest.mark.parametrize(
    ("path", "args", "needle"),
    [(path, args, needle) for path, cases in CASES.items() for args, needle in cases],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_invalid_value_is_exit_2(
    repo: Path, cli: Runner, path: tuple[str, ...], args: tuple[str, ...], needle: str
) -> None:
    before = snapshot(repo)
    result = cli(*path, *args, cwd=repo)
    assert result.code == 2, result.text
    assert needle in result.text, result.text
    assert "Traceback" not in result.text
    assert snapshot(repo) == before


def _typed_options() -> Iterator[tuple[tuple[str, ...], str, str]]:
    """(command path, option, an invalid value) for every option whose type can reject a value itself."""
    for path in [(), *leaf_commands()]:
        for param in command_at(path).params:
            if not isinstance(param, click.Option) or param.is_flag:
                continue
            kind = param.type
            if isinstance(kind, (click.Choice, LayerType)):
                value = "not-a-choice"
            elif isinstance(kind, (click.IntRange, click.FloatRange)):
                value = str(kind.min - 1) if kind.min is not None else str(kind.max + 1)  # type: ignore[operator]
            else:
                continue
            yield path, max(param.opts, key=len), value


TYPED = list(_typed_options())


def test_typed_options_were_found() -> None:
    names = {(path, opt) for path, opt, _ in TYPED}
    assert ((), "--output") in names and (("plan",), "--layer") in names and (("cost", "estimate"), "--nat-gb") in names


@pytest.mark.parametrize(("path", "option", "value"), TYPED, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_typed_option_rejects_with_exit_2(
    repo: Path, cli: Runner, path: tuple[str, ...], option: str, value: str
) -> None:
    result = cli(*path, option, value, cwd=repo)
    assert result.code == 2, result.text
    assert option in result.text or value in result.text, result.text
    assert "Traceback" not in result.text


def test_checks_that_ran_and_failed_stay_exit_1(repo: Path, cli: Runner) -> None:
    acme = repo / "clients" / "acme-corp.yaml"
    acme.write_text(acme.read_text().replace("vpc_cidr: 10.100.0.0/16", "vpc_cidr: 10.101.0.0/16"))
    for args in (("validate",), ("cidr", "validate"), ("render", "--check")):
        result = cli(*args, cwd=repo)
        assert result.code == 1, (args, result.text)
        assert "Traceback" not in result.text


@pytest.mark.parametrize("path", [(), *leaf_commands()], ids=lambda p: " ".join(p) or "clientctl")
def test_every_help_page_renders(cli: Runner, repo: Path, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help", cwd=repo)
    assert result.code == 0, result.text
    assert "Usage:" in result.out and "Traceback" not in result.text
