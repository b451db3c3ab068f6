"""Building a :class:`TerraformRunner` for an :class:`AwsTarget` (shared by plan/apply/destroy/drift,
onboard and offboard).

The target's endpoint becomes :class:`BackendOverrides` (backend config + ``AWS_ENDPOINT_URL``); its CA
bundle (the sandbox's own CA) becomes ``AWS_CA_BUNDLE`` (the S3 backend, ``terraform_remote_state`` and the
AWS provider read it) and ``SSL_CERT_FILE`` (Go's TLS roots). ``SSL_CERT_FILE`` replaces the system roots,
so it points at a combined bundle (system/certifi roots + the sandbox CA): a machine with network access can
still download providers from registry.terraform.io while talking to the sandbox.
"""

from __future__ import annotations

import functools
import os
import ssl
from pathlib import Path

from clientctl import paths
from clientctl.aws import locks
from clientctl.aws.session import AwsTarget
from clientctl.errors import ConfigError
from clientctl.fsutil import atomic_write
from clientctl.render.render import BACKEND_FILE, read_backend_hcl
from clientctl.terraform import binary
from clientctl.terraform.output import LockInfo
from clientctl.terraform.runner import BackendOverrides, TerraformRunner
from clientctl.terraform.standin.install import STANDIN_MARKERS


def _system_roots() -> str:
    try:
        import certifi

        return Path(certifi.where()).read_text(encoding="utf-8")
    except (ImportError, OSError):
        cafile = ssl.get_default_verify_paths().cafile
        return Path(cafile).read_text(encoding="utf-8") if cafile and Path(cafile).is_file() else ""


def combined_ca_bundle(ca_bundle: str, state_dir: Path) -> Path:
    """System roots + ``ca_bundle`` in one PEM file (rewritten only when its content changes)."""
    path = state_dir / "tls" / "ca-bundle-with-sandbox.pem"
    content = _system_roots().rstrip("\n") + "\n" + Path(ca_bundle).read_text(encoding="utf-8")
    if not path.is_file() or path.read_text(encoding="utf-8") != content:
        atomic_write(path, content)
    return path


def terraform_environment(target: AwsTarget, state_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Terraform runs with for ``target``."""
    env = binary.environment(base)
    if target.profile:
        env["AWS_PROFILE"] = target.profile
    if target.static_credentials is not None:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = target.static_credentials
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
    if target.ca_bundle:
        env["AWS_CA_BUNDLE"] = target.ca_bundle
        env["SSL_CERT_FILE"] = str(combined_ca_bundle(target.ca_bundle, state_dir))
    return env


def make_runner(
    root: Path,
    target: AwsTarget,
    *,
    terraform: str | None = None,
    lock_timeout: str = "300s",
    env: dict[str, str] | None = None,
) -> TerraformRunner:
    """A runner for the repository at ``root`` talking to ``target`` (sandbox, custom endpoint or AWS)."""
    state_dir = paths.state_dir(root)
    endpoint = target.effective_endpoint
    environment = terraform_environment(target, state_dir, env)
    local = uses_standins(target)
    refuse_standins_outside_sandbox(environment, local)
    plugin_cache = Path(os.environ.get("TF_PLUGIN_CACHE_DIR") or paths.plugin_cache_dir(root))
    workdir_copy = None
    if local:
        # The embedded sandbox (or another loopback emulator): providers come from the stand-ins, in their own
        # plugin cache, and Terraform runs on a copy of the layers so their lock file stays out of the repo.
        from clientctl.terraform import workcopy

        copy, standins, _digest = workcopy.prepare(root, work=paths.sandbox_terraform_dir(root))
        environment.update(standins.env())
        plugin_cache = paths.sandbox_terraform_dir(root) / "plugin-cache"
        workdir_copy = (root, copy)
    return TerraformRunner(
        binary.require(terraform, root),
        env=environment,
        plugin_cache_dir=plugin_cache,
        lock_timeout=lock_timeout,
        overrides=BackendOverrides(endpoint) if endpoint else None,
        release_own_locks=local,
        release_lock=functools.partial(release_lock, target) if local else None,
        lock_attempt_timeout=SANDBOX_LOCK_ATTEMPT if local else None,
        workdir_copy=workdir_copy,
        standins=local,
    )


def release_lock(target: AwsTarget, workdir: Path, holder: LockInfo) -> list[str]:
    """Remove ``holder`` from the backend of the layer in ``workdir`` (its backend.hcl names the region and the
    lock table), as `clientctl lock release` does: only for the sandbox's own locks (TerraformRunner.release_lock).
    """
    settings = read_backend_hcl((workdir / BACKEND_FILE).read_text(encoding="utf-8"))
    region = str(settings.get("region") or target.region)
    table = settings.get("dynamodb_table")
    return locks.release_at(
        target.client("s3", region=region),
        target.client("dynamodb", region=region),
        holder.path,
        str(table) if table else None,
        holder.id,
    )


#: Said wherever a result depends on it: what a sandbox run with the stand-ins does not do.
STANDIN_NOTE = "the providers were clientctl's stand-ins, which create no AWS resource (docs/provider-standins.md)"
#: -lock-timeout of one Terraform call in the sandbox (TerraformRunner.lock_attempt_timeout).
SANDBOX_LOCK_ATTEMPT = "10s"


def uses_standins(target: AwsTarget) -> bool:
    """Whether runs against ``target`` load the provider stand-ins: only the sandbox or another loopback
    emulator (see make_runner)."""
    return _local_emulator(target)


def refuse_standins_outside_sandbox(env: dict[str, str], local: bool) -> None:
    """A run against a real endpoint must never load a provider stand-in (they fake every API call)."""
    config = env.get("TF_CLI_CONFIG_FILE")
    if local or not config or not Path(config).is_file():
        return
    text = Path(config).read_text(encoding="utf-8", errors="replace")
    if any(marker in text for marker in STANDIN_MARKERS):
        raise ConfigError(
            f"TF_CLI_CONFIG_FILE={config} installs the clientctl provider stand-ins, and this run targets a real "
            "AWS endpoint; refusing to start",
            hint="unset TF_CLI_CONFIG_FILE (or point it at your own CLI configuration) for real runs",
        )


def _local_emulator(target: AwsTarget) -> bool:
    """The embedded sandbox, or any endpoint on this machine's loopback: an emulator, never a real account, so
    a lock a step took itself through an SDK retry can be released there without asking anyone."""
    if target.static_credentials is not None:
        return True
    endpoint = target.effective_endpoint
    if not endpoint:
        return False
    import ipaddress
    from urllib.parse import urlparse

    host = urlparse(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
