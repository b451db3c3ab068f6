"""Options every AWS command shares (--endpoint-url, --profile, --region, --sandbox) and the target they build."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from clientctl import sandbox
from clientctl.aws.session import AwsTarget
from clientctl.cli.app import App
from clientctl.errors import ConfigError
from clientctl.registry import find_root

F = TypeVar("F", bound=Callable[..., Any])


def aws_options(func: F) -> F:
    """Add the shared AWS options; the command receives ``target: AwsTarget`` instead of them."""

    @click.option("--endpoint-url", default=None, help="AWS endpoint (default: AWS_ENDPOINT_URL, else AWS).")
    @click.option("--profile", default=None, envvar="AWS_PROFILE", help="AWS profile (default: AWS_PROFILE).")
    @click.option("--region", default=None, help="AWS region (default: platform.yaml's region, else the profile's).")
    @click.option("--sandbox", "use_sandbox", is_flag=True, help="Talk to the running `clientctl sandbox`.")
    @functools.wraps(func)
    def wrapper(
        *args: Any, endpoint_url: str | None, profile: str | None, region: str | None, use_sandbox: bool, **kwargs: Any
    ) -> Any:
        kwargs["target"] = build_target(endpoint_url, profile, region, use_sandbox)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def sandbox_root() -> Path:
    """Where the sandbox state lives: the repository root, or the current folder outside a repository."""
    ctx = click.get_current_context(silent=True)
    app = ctx.find_object(App) if ctx is not None else None
    if app is not None and app.root_option is not None:
        return Path(app.root_option).resolve()
    try:
        return find_root(Path.cwd())
    except ConfigError:
        return Path.cwd()


def build_target(endpoint_url: str | None, profile: str | None, region: str | None, use_sandbox: bool) -> AwsTarget:
    if not use_sandbox:
        return AwsTarget(endpoint_url=endpoint_url, profile=profile, region=region)
    if endpoint_url:
        raise click.UsageError("--sandbox and --endpoint-url cannot be combined")
    state = sandbox.require_running(sandbox_root())
    return AwsTarget(
        endpoint_url=state.endpoint,
        region=region,
        ca_bundle=state.ca_bundle,
        static_credentials=(sandbox.SANDBOX_ACCESS_KEY, sandbox.SANDBOX_SECRET_KEY),
    )


def progress(message: str) -> None:
    click.echo(message, err=True)
