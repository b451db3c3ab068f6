"""The embedded AWS sandbox: moto in server mode on 127.0.0.1, over HTTPS (docs/adr/ADR-011).

``start`` spawns :mod:`clientctl.sandbox_server` detached and records ``pid``, ``port``, ``endpoint`` and
``ca_bundle`` in ``<root>/.clientctl/sandbox.json``; state lives in that process while it runs. AWS
commands given ``--sandbox`` read that file. The server's CA is generated once under
``<root>/.clientctl/sandbox-ca/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from clientctl import paths
from clientctl.errors import ClientctlError, ConfigError
from clientctl.fsutil import atomic_write

STATE_FILE = "sandbox.json"
SANDBOX_REGION = "us-east-1"
SANDBOX_ACCOUNT = "123456789012"
# moto accepts any credentials; these are the documented dummy values, not secrets.
SANDBOX_ACCESS_KEY = "testing"
SANDBOX_SECRET_KEY = "testing"


# Servers started by this process: kept referenced (no "still running" warning) and reaped on stop.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class SandboxError(ClientctlError):
    """The sandbox is not in the state the command needs (exit 2)."""


@dataclass(frozen=True)
class SandboxState:
    pid: int
    port: int
    endpoint: str
    ca_bundle: str
    started: float
    http_endpoint: str | None = None


def state_path(root: Path) -> Path:
    return paths.state_dir(root) / STATE_FILE


def read_state(root: Path) -> SandboxState | None:
    path = state_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SandboxState(**data)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise SandboxError(
            f"{path}: unreadable sandbox state ({exc})", hint=f"remove {path} and start the sandbox again"
        ) from exc


def pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        # A server this process started: Popen reaps it and records its exit (reaped behind Popen's back, it
        # would warn "subprocess ... is still running" when collected).
        if child.poll() is None:
            return True
        del _CHILDREN[pid]
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); reap it if it is one.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def healthy(state: SandboxState, timeout: float = 2.0) -> bool:
    """True when our launcher answers its health path over TLS with our CA."""
    from clientctl.sandbox_server import HEALTH_PATH

    context = ssl.create_default_context(cafile=state.ca_bundle)
    try:
        with urllib.request.urlopen(f"{state.endpoint}{HEALTH_PATH}", timeout=timeout, context=context) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


# What the sandbox (moto) cannot store, per audit check: a FAIL of one of these against the sandbox says
# nothing about the code (docs/aws-operations.md, "Remaining fidelity gaps").
FIDELITY_GAPS: dict[str, str] = {
    "s3.request-metrics": "moto keeps no request-metrics configuration",
}


def is_sandbox_endpoint(endpoint: str | None, ca_bundle: str | None, timeout: float = 2.0) -> bool:
    """True when ``endpoint`` is a clientctl sandbox: it answers our launcher's health path (moto itself
    has no such path). Works however the endpoint was given (--sandbox, --endpoint-url, AWS_ENDPOINT_URL)."""
    from clientctl.sandbox_server import HEALTH_PATH

    if not endpoint:
        return False
    bundle = ca_bundle or os.environ.get("AWS_CA_BUNDLE")
    context = ssl.create_default_context(cafile=bundle) if bundle else ssl.create_default_context()
    try:
        with urllib.request.urlopen(f"{endpoint.rstrip('/')}{HEALTH_PATH}", timeout=timeout, context=context) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def status(root: Path) -> tuple[str, SandboxState | None]:
    """("running" | "stopped" | "stale" | "unhealthy", state)."""
    state = read_state(root)
    if state is None:
        return "stopped", None
    if not pid_alive(state.pid):
        return "stale", state
    return ("running" if healthy(state) else "unhealthy"), state


def start(
    root: Path, *, port: int = 0, host: str = "127.0.0.1", http_port: int | None = None, timeout: float = 30.0
) -> SandboxState:
    current, state = status(root)
    if current in {"running", "unhealthy"} and state is not None:
        raise SandboxError(
            f"a sandbox is already running (pid {state.pid}, {state.endpoint})",
            hint="use it (`clientctl sandbox env`), or `clientctl sandbox stop` first",
        )
    if current == "stale":
        state_path(root).unlink(missing_ok=True)
    folder = paths.state_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    ready = folder / f"sandbox-ready-{os.getpid()}.json"
    ready.unlink(missing_ok=True)
    log = folder / "sandbox.log"
    cmd = [
        sys.executable,
        "-m",
        "clientctl.sandbox_server",
        "--host",
        host,
        "--port",
        str(port),
        "--cert-dir",
        str(folder / "sandbox-ca"),
        "--ready-file",
        str(ready),
    ]
    if http_port is not None:
        cmd += ["--http-port", str(http_port)]
    env = {**os.environ, "MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS": "false"}
    with open(log, "ab") as log_handle:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    _CHILDREN[proc.pid] = proc
    deadline = time.monotonic() + timeout
    while not ready.is_file():
        if proc.poll() is not None:
            raise SandboxError(
                f"the sandbox server exited with code {proc.returncode} before it was ready",
                hint=f"see {log} (port {port} may be in use)",
            )
        if time.monotonic() > deadline:
            proc.kill()
            raise SandboxError(f"the sandbox server did not start within {timeout:.0f}s", hint=f"see {log}")
        time.sleep(0.05)
    info = json.loads(ready.read_text(encoding="utf-8"))
    ready.unlink(missing_ok=True)
    state = SandboxState(
        pid=proc.pid,
        port=int(info["port"]),
        endpoint=str(info["endpoint"]),
        ca_bundle=str(info["ca_bundle"]),
        started=time.time(),
        http_endpoint=info.get("http_endpoint"),
    )
    atomic_write(state_path(root), json.dumps(asdict(state), indent=2) + "\n")
    return state


def stop(root: Path, timeout: float = 10.0) -> SandboxState | None:
    """Stop the sandbox; return its state, or None when none was running (stale state is removed)."""
    current, state = status(root)
    if state is None:
        return None
    if current != "stale":
        with contextlib.suppress(ProcessLookupError):
            os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(state.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_alive(state.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(state.pid, signal.SIGKILL)
    child = _CHILDREN.pop(state.pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=timeout)
    state_path(root).unlink(missing_ok=True)
    return state if current != "stale" else None


def require_running(root: Path) -> SandboxState:
    current, state = status(root)
    if current != "running" or state is None:
        detail = {
            "stopped": "no sandbox is running",
            "stale": "the sandbox recorded in .clientctl is gone",
            "unhealthy": "the sandbox does not answer",
        }[current]
        raise ConfigError(f"--sandbox: {detail}", hint="start one with `clientctl sandbox start`")
    return state


def env_exports(state: SandboxState, region: str = SANDBOX_REGION) -> dict[str, str]:
    """Variables that point the AWS SDKs, the AWS CLI and Terraform at the sandbox (``region``: the
    platform's first region inside a repository, so SDK defaults land where clientctl works)."""
    return {
        "AWS_ENDPOINT_URL": state.endpoint,
        "AWS_CA_BUNDLE": state.ca_bundle,
        "SSL_CERT_FILE": state.ca_bundle,
        "AWS_ACCESS_KEY_ID": SANDBOX_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


def reset(state: SandboxState) -> None:
    """Forget every resource (moto's reset API)."""
    context = ssl.create_default_context(cafile=state.ca_bundle)
    request = urllib.request.Request(f"{state.endpoint}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10, context=context):
        pass
