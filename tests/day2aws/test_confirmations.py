"""Every confirmation prompt, refused: without a terminal, at end of input, or answered wrongly, the error
names the flag of *that* command that gives the confirmation (exit 2, no traceback, nothing done).

Runs the real entry point (``clientctl.cli.main``, the ``cli`` fixture) against the sandbox; a terminal is
simulated by a stdin whose ``isatty()`` is true.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import click
import pytest

from clientctl import naming
from clientctl.cli import cli as root_group
from tests.helpers import Result, Runner

from .conftest import BUCKET, ENV, REGION, Aws, make_backend, put_lock, put_state

SRC = Path(__file__).resolve().parents[2] / "src" / "clientctl"
TRACES = naming.observability_buckets("ohio-01", REGION, ENV)["traces"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def run(aws: Aws, cli: Runner, monkeypatch: pytest.MonkeyPatch) -> Runner:
    """``run(*args, tty=ANSWER|None, input=PIPED|None)``: clientctl --root REPO ARGS, against the sandbox."""
    for name, value in aws.env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    def invoke(*args: str, tty: str | None = None, input: str | None = None) -> Result:
        monkeypatch.setattr(sys, "stdin", Terminal(tty) if tty is not None else io.StringIO(input or ""))
        return cli("--root", str(aws.repo), *args)

    return invoke


def option_names(path: tuple[str, ...]) -> set[str]:
    command: click.Command = root_group
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def assert_refused(result: Result, path: tuple[str, ...], flag: str, *needles: str) -> None:
    """Exit 2, no traceback, and ``pass FLAG`` in the hint, FLAG being an option of that very command."""
    assert result.code == 2, result.text
    assert "Traceback" not in result.text
    assert f"pass {flag}" in result.err, result.text
    assert flag.split()[0] in option_names(path), (flag, path)
    for needle in needles:
        assert needle in result.text, (needle, result.text)


def test_backend_provision(run: Runner, aws: Aws) -> None:
    args = ("backend", "provision")
    assert_refused(run(*args), args[:2], "--force", "no terminal")
    assert_refused(run(*args, tty="n\n"), args[:2], "--force", "not confirmed")
    assert_refused(run(*args, tty=""), args[:2], "--force", "not confirmed")  # end of input at the terminal
    assert aws.raw().list_buckets()["Buckets"] == []


def test_s3_destroy_and_emergency_cleanup(run: Runner, aws: Aws) -> None:
    aws.raw().create_bucket(Bucket=TRACES, CreateBucketConfiguration={"LocationConstraint": REGION})
    destroy = ("s3", "destroy", "--type", "traces")
    assert_refused(run(*destroy), destroy[:2], "--force", "no terminal")
    assert_refused(run(*destroy, tty="wrong-name\n"), destroy[:2], "--force", "did not match", TRACES)
    assert_refused(run(*destroy, tty=""), destroy[:2], "--force", "no confirmation was typed")
    cleanup = ("s3", "emergency-cleanup", "--bucket", TRACES)
    assert_refused(run(*cleanup), cleanup[:2], "--force", "no terminal")
    assert_refused(run(*cleanup, tty="nope\n"), cleanup[:2], "--force", "did not match")
    assert TRACES in {b["Name"] for b in aws.raw().list_buckets()["Buckets"]}


def test_state_restore(run: Runner, aws: Aws) -> None:
    make_backend(aws)
    first = put_state(aws, "acme-corp", "03-database", serial=1)
    put_state(aws, "acme-corp", "03-database", serial=2)
    args = ("state", "restore", "acme-corp", "--layer", "03", "--version-id", first)
    assert_refused(run(*args, input=""), args[:2], "--yes", "no confirmation was typed")
    assert_refused(run(*args, input="nope\n"), args[:2], "--yes", "did not match")
    current = aws.raw().head_object(Bucket=BUCKET, Key=naming.client_state_key(REGION, "03-database", ENV, "acme-corp"))
    assert current["VersionId"] != first


def test_lock_release(run: Runner, aws: Aws) -> None:
    make_backend(aws)
    lock_id = put_lock(aws, "acme-corp", "02-platform", minutes_ago=60)
    args = ("lock", "release", lock_id)
    assert_refused(run(*args, input=""), args[:2], "--yes", "no confirmation was typed")
    assert_refused(run(*args, input="no\n"), args[:2], "--yes", "did not match")
    # --force exists on this command too, but it means "a young lock": the hint must not name it
    assert "pass --force" not in run(*args, input="").err
    assert lock_id in run("lock", "list").out


def test_offboard(run: Runner, aws: Aws) -> None:
    args = ("offboard", "acme-corp")
    assert_refused(run(*args), args[:1], "--confirm acme-corp", "no terminal")
    assert_refused(run(*args, tty="globex\n"), args[:1], "--confirm acme-corp", "did not match")
    assert (aws.repo / "clients" / "acme-corp.yaml").exists()


@pytest.mark.parametrize("action", ["apply", "destroy"])
def test_apply_destroy_and_onboard_without_terminal(run: Runner, action: str) -> None:
    result = run(action, "acme-corp")
    assert result.code == 2 and "--auto-approve" in result.err and "Traceback" not in result.text
    onboard = run("onboard", "hooli", "--contact-email", "ops@hooli.example")
    assert onboard.code == 2 and "--auto-approve" in onboard.err


def test_every_prompt_goes_through_the_one_helper() -> None:
    """A new click.confirm/click.prompt elsewhere would bypass the flag-naming refusals above."""
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "prompts.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bclick\.(confirm|prompt)\(", line)
    ]
    assert offenders == []
