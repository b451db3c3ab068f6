"""Every confirmation clientctl asks for, in one place: a refused confirmation always names the flag of
*that* command that gives it (``--force``, ``--yes``, ``--auto-approve``, ``--confirm CLIENT``).

Refusals are usage errors (exit 2, README "Exit codes"): nothing was checked; the user did not confirm.
A refusal says "not done" about the thing asked for only, not "nothing was done": ``s3 destroy`` asks
once per bucket, so an earlier bucket may already be gone when a later one is refused.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from clientctl.errors import ConfigError, clip


def _hint(flag: str, extra: str = "") -> str:
    return f"{extra}pass {flag} to confirm without a prompt"


def _no_terminal(what: str, flag: str) -> ConfigError:
    return ConfigError(f"{what} needs confirmation, but there is no terminal to ask on; not done", hint=_hint(flag))


def confirm(question: str, *, given: bool, flag: str, what: str) -> None:
    """A yes/no question (default no). ``given``: the command's ``flag`` was passed, do not ask.

    Without a terminal, or answered no (also Ctrl-C or end of input), raise a usage error naming ``flag``.
    """
    if given:
        return
    if not sys.stdin.isatty():
        raise _no_terminal(what, flag)
    try:
        yes = click.confirm(question, default=False, err=True)
    except click.exceptions.Abort:  # click turns Ctrl-C and end of input into Abort
        yes = False
    if not yes:
        raise ConfigError(f"{what}: not confirmed; not done", hint=_hint(flag, "answer 'y', or "))


def confirm_typed(
    accepted: str | Sequence[str], prompt: str, *, given: bool, flag: str, what: str, piped: bool = False
) -> None:
    """Make the user type one of ``accepted`` (a bucket name, "yes" or the lock ID, ...).

    ``piped``: the answer may come from a pipe (``echo yes | clientctl lock release ID``); otherwise a
    terminal is required. Every refusal (no terminal, end of input, a wrong answer) names ``flag``.
    """
    if given:
        return
    options = [accepted] if isinstance(accepted, str) else list(accepted)
    expected = " or ".join(repr(a) for a in options)
    if not piped and not sys.stdin.isatty():
        raise _no_terminal(what, flag)
    try:
        answer = str(click.prompt(prompt, default="", show_default=False, err=True)).strip()
    except click.exceptions.Abort:
        raise ConfigError(
            f"{what}: no confirmation was typed (end of input or Ctrl-C); not done",
            hint=_hint(flag, f"type {expected}, or "),
        ) from None
    if answer not in options:
        raise ConfigError(
            f"{what}: confirmation {clip(answer)!r} did not match {expected}; not done",
            hint=_hint(flag, f"type {expected} exactly, or "),
        )


def approve(question: str, *, flag: str, declined: str) -> bool:
    """A yes/no approval inside a run that goes on without it (``apply``/``onboard`` per client).

    Declining is an answer, not an error: the caller skips that client. The decline is said on stderr
    with ``declined`` (what was left undone) and the flag that approves without a prompt.
    """
    try:
        yes = bool(click.confirm(question, default=False, err=True))
    except (KeyboardInterrupt, click.exceptions.Abort):
        yes = False
    if not yes:
        click.echo(f"not approved: {declined} (pass {flag} to approve without a prompt)", err=True)
    return yes


def approve_typed(expected: str, prompt: str, *, flag: str, declined: str) -> bool:
    """Like :func:`approve`, but the user types ``expected`` (``destroy``: the client name)."""
    try:
        typed = str(click.prompt(prompt, default="", show_default=False, err=True)).strip()
    except (KeyboardInterrupt, click.exceptions.Abort):
        typed = None
    if typed != expected:
        got = "nothing typed" if not typed else f"{clip(typed)!r} is not {expected!r}"
        click.echo(f"not approved ({got}): {declined} (pass {flag} to approve without a prompt)", err=True)
        return False
    return True
