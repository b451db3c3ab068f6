"""Every confirmation clientctl asks for, in one place, under one rule (docs/confirmations.md):

* a yes/no question is answered by ``--yes`` (``-y``; ``apply``/``onboard`` also take Terraform's
  ``--auto-approve``);
* destroying something named (a bucket, a client's layers, an offboarded client) asks to type its name,
  which ``--confirm NAME`` gives on the command line; ``--yes`` does not answer it.

A refused confirmation always names the flag of *that* command that gives it.

Refusals are usage errors (exit 2, README "Exit codes"): nothing was checked; the user did not confirm.
A refusal says "not done" about the thing asked for only, not "nothing was done": ``s3 destroy`` asks
once per bucket, so an earlier bucket may already be gone when a later one is refused.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import click

from clientctl.errors import ConfigError, clip

if TYPE_CHECKING:
    from clientctl.orchestrator import ApprovalRequest
    from clientctl.orchestrator.grid import Progress


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


def check_confirmed(confirmed: Sequence[str], names: Sequence[str], noun: str) -> None:
    """Every ``--confirm`` value must name one of the ``names`` being destroyed: a typo is refused before
    anything is done, never taken as "no"."""
    stray = [c for c in confirmed if c not in names]
    if stray:
        shown = ", ".join(repr(c) for c in stray)
        raise ConfigError(
            f"--confirm {shown} does not match any {noun} this command destroys ({', '.join(names) or 'none'}); "
            "nothing was done",
            hint=f"pass --confirm with the exact {noun} name",
        )


def require_confirmation(names: Sequence[str], confirmed: Sequence[str], what: str) -> None:
    """Before destroying several things one after the other: without a terminal, every one of ``names`` must
    be in ``--confirm`` already, so a run never stops half-way with some of them gone."""
    missing = [n for n in names if n not in confirmed]
    if missing and not sys.stdin.isatty():
        raise ConfigError(
            f"{what} needs confirmation of {', '.join(missing)}, but there is no terminal to ask on; nothing was done",
            hint=_hint(" ".join(f"--confirm {n}" for n in missing)),
        )


def confirm_destroy(name: str, prompt: str, *, confirmed: Sequence[str], what: str) -> None:
    """Destroying ``name``: given by ``--confirm NAME``, else the user types ``name`` at a terminal."""
    confirm_typed(name, prompt, given=name in confirmed, flag=f"--confirm {name}", what=what)


#: How apply and onboard are approved without a prompt (the hint of every refusal names them).
APPROVE_FLAG = "--yes"


def run_approver(
    action: str, progress: Progress | None, *, dry_run: bool = False, confirmed: Sequence[str] = ()
) -> Callable[[ApprovalRequest], bool]:
    """The approval of one client's plans inside a run (``apply``, ``destroy``, ``onboard``): the plan
    summary on stderr, then a yes/no question (apply), or the client's name to type (destroy) unless it was
    given by ``--confirm CLIENT``. ``dry_run``: show the summary, approve nothing."""

    def ask(request: ApprovalRequest) -> bool:
        if progress is not None:
            progress.close()
        lines = [f"\n{'dry run: ' if dry_run else ''}{request.action} for client {request.client}:"]
        for node in request.nodes:
            plan = node.plan or {}
            if node.deferred:
                what = "planned and applied after its upstream layer is applied"
            elif node.status == "pending" and node.plan:
                what = f"{plan['add']} to add, {plan['change']} to change, {plan['destroy']} to destroy"
            else:
                what = node.status
            lines.append(f"  {node.layer:<24} {what}")
        click.echo("\n".join(lines), err=True)
        if dry_run:
            return False
        if action == "destroy" and request.client in confirmed:
            return True
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            if action == "destroy":
                return approve_typed(
                    request.client,
                    f"Type the client name ({request.client}) to destroy these layers",
                    flag=f"--confirm {request.client}",
                    declined=f"{request.client}'s layers are not destroyed",
                )
            return approve(
                f"Apply these changes to {request.client}?",
                flag=APPROVE_FLAG,
                declined=f"{request.client}'s layers are left unchanged",
            )
        finally:
            signal.signal(signal.SIGINT, previous)

    return ask
