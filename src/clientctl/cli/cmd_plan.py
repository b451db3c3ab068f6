"""``clientctl plan``: implemented with the other run commands in cmd_run."""

from clientctl.cli.cmd_run import plan as command

__all__ = ["command"]
