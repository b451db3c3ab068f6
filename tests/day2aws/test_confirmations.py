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

import pytest

from clientctl import naming
from tests.aws.conftest import ENV, REGION
from tests.helpers import Result, Runner, command_at, command_paths

from .conftest import BUCKET, Aws, make_backend, put_lock, put_state

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
    return {opt for param in command_at(path).params for opt in getattr(param, "opts", [])}


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
    assert_refused(run(*args), args[:2], "--yes", "no terminal")
    assert_refused(run(*args, tty="n\n"), args[:2], "--yes", "not confirmed")
    assert_refused(run(*args, tty=""), args[:2], "--yes", "not confirmed")  # end of input at the terminal
    assert aws.raw().list_buckets()["Buckets"] == []


def test_s3_destroy_and_emergency_cleanup(run: Runner, aws: Aws) -> None:
    aws.raw().create_bucket(Bucket=TRACES, CreateBucketConfiguration={"LocationConstraint": REGION})
    destroy = ("s3", "destroy", "--type", "traces")
    by_name = f"--confirm {TRACES}"
    assert_refused(run(*destroy), destroy[:2], by_name, "no terminal")
    assert_refused(run(*destroy, tty="wrong-name\n"), destroy[:2], by_name, "did not match", TRACES)
    assert_refused(run(*destroy, tty=""), destroy[:2], by_name, "no confirmation was typed")
    # --yes answers yes/no questions, never a destruction: s3 destroy does not even take it
    assert run(*destroy, "--yes").code == 2
    cleanup = ("s3", "emergency-cleanup", "--bucket", TRACES)
    assert_refused(run(*cleanup), cleanup[:2], by_name, "no terminal")
    assert_refused(run(*cleanup, tty="nope\n"), cleanup[:2], by_name, "did not match")
    assert_refused(run(*cleanup, "--yes"), cleanup[:2], by_name, "no terminal")
    # a --confirm that names no bucket of this command is refused before anything is looked at
    typo = run(*destroy, "--confirm", TRACES + "x")
    assert typo.code == 2 and "does not match any bucket" in typo.err and "nothing was done" in typo.err
    assert TRACES in {b["Name"] for b in aws.raw().list_buckets()["Buckets"]}
    # several buckets without a terminal: all confirmed up front, or none is touched
    metrics = naming.observability_buckets("ohio-01", REGION, ENV)["metrics"]
    aws.raw().create_bucket(Bucket=metrics, CreateBucketConfiguration={"LocationConstraint": REGION})
    partial = run("s3", "destroy", "--type", "all", "--confirm", TRACES)
    assert partial.code == 2 and f"pass --confirm {metrics}" in partial.err and "nothing was done" in partial.err
    assert {TRACES, metrics} <= {b["Name"] for b in aws.raw().list_buckets()["Buckets"]}
    done = run(*destroy, "--confirm", TRACES)
    assert done.code == 0, done.text
    assert TRACES not in {b["Name"] for b in aws.raw().list_buckets()["Buckets"]}


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
    assert "pass --force" not in run(*args, input="").err
    assert lock_id in run("lock", "list").out


def test_offboard(run: Runner, aws: Aws) -> None:
    args = ("offboard", "acme-corp")
    assert_refused(run(*args), args[:1], "--confirm acme-corp", "no terminal")
    assert_refused(run(*args, tty="globex\n"), args[:1], "--confirm acme-corp", "did not match")
    wrong = run(*args, "--confirm", "globex")
    assert wrong.code == 2 and "does not match any client" in wrong.err
    assert (aws.repo / "clients" / "acme-corp.yaml").exists()


@pytest.mark.parametrize("action", ["apply", "destroy"])
def test_apply_destroy_and_onboard_without_terminal(run: Runner, action: str) -> None:
    result = run(action, "acme-corp")
    flag = "--confirm CLIENT" if action == "destroy" else "--yes"
    assert result.code == 2 and flag in result.err and "--auto-approve" in result.err and "Traceback" not in result.text
    onboard = run("onboard", "hooli", "--contact-email", "ops@hooli.example")
    assert onboard.code == 2 and "--yes" in onboard.err and "--auto-approve" in onboard.err
    if action == "destroy":
        typo = run("destroy", "acme-corp", "--confirm", "globex")
        assert typo.code == 2 and "does not match any client" in typo.err


#: The one rule (cli/prompts.py): yes/no questions take --yes (-y); destroying something named takes
#: --confirm NAME; --force survives only where the runbook's scripts used it (and refuses by name on lock).
ASKS_YES_NO = [
    ("backend", "provision"),
    ("s3", "emergency-cleanup"),
    ("dns", "record", "delete"),
    ("lock", "release"),
    ("state", "restore"),
    ("apply",),
    ("onboard",),
]
DESTROYS_NAMED = [("s3", "destroy"), ("s3", "emergency-cleanup"), ("destroy",), ("offboard",)]
RUNBOOK_FORCE = {("backend", "provision"), ("s3", "destroy"), ("s3", "emergency-cleanup"), ("lock", "release")}


def test_one_confirmation_vocabulary() -> None:
    for path in ASKS_YES_NO:
        assert {"--yes", "-y"} <= option_names(path), path
    for path in DESTROYS_NAMED:
        assert "--confirm" in option_names(path), path
    with_force = {path for path in command_paths() if "--force" in option_names(path)}
    assert with_force == RUNBOOK_FORCE


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
