"""``clientctl apply``: implemented with the other run commands in cmd_run."""

from clientctl.cli.cmd_run import apply as command

__all__ = ["command"]
