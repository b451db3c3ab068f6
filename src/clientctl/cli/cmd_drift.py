"""``clientctl drift``: implemented with the other run commands in cmd_run."""

from clientctl.cli.cmd_run import drift as command

__all__ = ["command"]
