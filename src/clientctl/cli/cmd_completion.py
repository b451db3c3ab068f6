"""``clientctl completion bash|zsh|fish``: the shell completion script (click's), to source from a shell's rc."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from clientctl.cli.app import App, print_json

SHELLS = ("bash", "zsh", "fish")
#: The environment variable click's completion protocol uses for a program named ``clientctl``.
COMPLETE_VAR = "_CLIENTCTL_COMPLETE"


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def command(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    Examples:
      eval "$(clientctl completion bash)"                       # ~/.bashrc
      eval "$(clientctl completion zsh)"                        # ~/.zshrc
      clientctl completion fish > ~/.config/fish/completions/clientctl.fish
    """
    completion = get_completion_class(shell)
    assert completion is not None  # click ships all three
    script = completion(ctx.find_root().command, {}, "clientctl", COMPLETE_VAR).source()
    app = ctx.find_object(App)
    if app is not None and app.json:
        print_json({"ok": True, "shell": shell, "script": script})
    else:
        click.echo(script)
