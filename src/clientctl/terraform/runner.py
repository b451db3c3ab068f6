"""The Terraform runner: binary, working folder and environment are parameters; nothing is global.

One :class:`NodeSession` runs the commands of one (client, layer): the client's workspace (``TF_WORKSPACE``,
created when missing), its own ``TF_DATA_DIR`` (so clients can run in parallel in the same layer folder),
a shared provider plugin cache (``TF_PLUGIN_CACHE_DIR``; ``init`` is serialised per layer folder, and across
folders while a provider is not cached yet), ``-input=false``, ``-lock-timeout``, ``plan -out`` then
``apply`` of exactly that plan, and ``-detailed-exitcode``. Transient errors from a short list are retried
with backoff (:data:`clientctl.terraform.output.TRANSIENT_PATTERNS`); nothing else is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from clientctl.errors import ClientctlError, ExitCode
from clientctl.fsutil import file_lock
from clientctl.terraform import binary
from clientctl.terraform.output import (
    LockInfo,
    PlanSummary,
    parse_lock_error,
    parse_plan_line,
    summary_from_show_json,
    transient_match,
)

INIT_MARKER = "clientctl-init.json"


#: How often one step may release a lock it took itself (sandbox only) before it reports it instead. Under load
#: the sandbox answers slowly, the SDK retries again and the same step trips over its own lock three times in a
#: row (seen once in a clean-clone CI run); each release waits a little longer before the step runs again.
OWN_LOCK_RELEASES = 5
OWN_LOCK_PAUSE = 0.5
#: Beside a plan file made with the provider stand-ins (see TerraformRunner.standins).
STANDIN_PLAN_SUFFIX = ".standin"


class TerraformError(ClientctlError):
    """Terraform cannot be used at all (missing binary, wrong version): a usage error (exit 2)."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class BackendOverrides:
    """Extra S3 backend settings for a non-AWS endpoint (the sandbox, tests). Terraform 1.15 argument names."""

    endpoint_url: str

    def settings(self) -> dict[str, object]:
        return {
            "endpoints": {"s3": self.endpoint_url, "dynamodb": self.endpoint_url},
            "use_path_style": True,
            "skip_credentials_validation": True,
            "skip_requesting_account_id": True,
            "skip_metadata_api_check": True,
            "skip_region_validation": True,
        }

    def hcl(self) -> str:
        lines = ["# Written by clientctl for --endpoint-url; passed as a second -backend-config file."]
        for key, value in self.settings().items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
        return "\n".join(lines) + "\n"


@dataclass
class StepResult:
    """One Terraform command (after retries)."""

    step: str
    exit_code: int
    output: str
    duration: float
    attempts: int = 1
    retried_on: list[str] = field(default_factory=list)
    lock: LockInfo | None = None
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class ProcessTable:
    """Running Terraform processes, so an interrupt can reach them (they run in their own session and do
    not see the terminal's Ctrl-C)."""

    def __init__(self) -> None:
        self._procs: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()
        self.signalled = 0  # highest signal level sent: 1 SIGINT, 2 SIGKILL

    def start(self, popen: Callable[[], subprocess.Popen[str]]) -> subprocess.Popen[str]:
        """Start a process with ``popen`` and register it in one step, so an interrupt sent meanwhile waits for
        it instead of missing it; a process started after an interrupt gets that signal at once."""
        with self._lock:
            proc = popen()
            self._procs.add(proc)
            level = self.signalled
        if level:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL if level == 2 else signal.SIGINT)
        return proc

    def discard(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def send(self, sig: int) -> int:
        with self._lock:
            procs = list(self._procs)
            self.signalled = max(self.signalled, 2 if sig == signal.SIGKILL else 1)
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)
        return len(procs)


class _FolderLocks:
    """Init serialisation: one lock per layer folder, plus one cache-wide lock taken while a provider the
    folder needs is not in the plugin cache yet (parallel installs into one cache race: docs/orchestrator.md)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


_LOCKFILE_PROVIDER = re.compile(r'provider\s+"([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)"', re.DOTALL)


def providers_cached(folder: Path, cache: Path, platform: str = "linux_amd64") -> bool:
    """True when every provider the folder pins is already in the plugin cache (or it needs none)."""
    lock_file = folder / ".terraform.lock.hcl"
    if lock_file.is_file():
        pins = _LOCKFILE_PROVIDER.findall(lock_file.read_text(encoding="utf-8"))
        return all((cache / source / version / platform).is_dir() for source, version in pins)
    return not any("required_providers" in p.read_text(encoding="utf-8") for p in folder.glob("*.tf"))


def terraform_identity() -> str:
    """``user@host`` as Terraform writes it into a lock's ``Who``."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


class TerraformRunner:
    """Runs Terraform with a given binary, base environment and options; shared by every node of a run."""

    def __init__(
        self,
        binary: Path,
        *,
        env: Mapping[str, str],
        plugin_cache_dir: Path,
        lock_timeout: str = "300s",
        overrides: BackendOverrides | None = None,
        retries: int = 3,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        release_own_locks: bool = False,
        release_lock: Callable[[Path, LockInfo], list[str]] | None = None,
        workdir_copy: tuple[Path, Path] | None = None,
        standins: bool = False,
        lock_attempt_timeout: str | None = None,
    ) -> None:
        self.binary = binary
        # (repository root, copy root): sessions run in the copy of their folder. Stand-in runs use it so the
        # stand-ins' .terraform.lock.hcl never lands in the repository (clientctl.terraform.setup).
        self.workdir_copy = workdir_copy
        # True when Terraform loads the provider stand-ins: plans are marked, and never applied otherwise.
        self.standins = standins
        self.base_env = dict(env)
        self.plugin_cache_dir = plugin_cache_dir
        self.lock_timeout = lock_timeout
        self.overrides = overrides
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        # Only for the embedded sandbox (one machine, nobody else): release a lock this very step took through
        # an SDK retry (LockInfo.taken_by_this_step) and run the step again. Against AWS it is reported instead.
        self.release_own_locks = release_own_locks
        # With release_own_locks: removes such a lock straight from the backend, given the node's folder, when
        # `terraform force-unlock` cannot. The S3 backend loads a workspace's state before it unlocks, and the
        # state of a workspace that does not exist yet it first creates under a lock of its own, so a lock that
        # `workspace new` left behind blocks the very force-unlock meant to remove it (Terraform's source,
        # internal/backend/remote-state/s3/backend_state.go, StateMgr: "the user will have to use aws tools").
        self.release_lock = release_lock
        # The -lock-timeout of one Terraform call. A lock a step took itself through an SDK retry (see
        # NodeSession._run) looks held by someone else, and Terraform waits the whole -lock-timeout before it
        # says so: 300 s per node (issue 13.8). Where own locks are released (the sandbox), each call waits
        # this short time and NodeSession._run keeps retrying up to lock_timeout for a lock held by others.
        self.lock_attempt_timeout = lock_attempt_timeout or lock_timeout
        self.processes = ProcessTable()
        self._folder_locks = _FolderLocks()
        self._cache_lock = threading.Lock()
        self._version: str | None = None

    @property
    def lock_timeout_seconds(self) -> float:
        """``-lock-timeout`` in seconds (Terraform durations: 90s, 5m, 1h30m, 500ms)."""
        units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
        parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", self.lock_timeout)
        return sum(float(n) * units[u] for n, u in parts)

    # ------------------------------------------------------------------------------------------ environment
    def environment(self, data_dir: Path, workspace: str | None) -> dict[str, str]:
        env = dict(self.base_env)
        env.pop("TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE", None)
        env.pop("TF_WORKSPACE", None)
        env.update(
            TF_DATA_DIR=str(data_dir),
            TF_PLUGIN_CACHE_DIR=str(self.plugin_cache_dir),
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
        )
        if workspace is not None:
            env["TF_WORKSPACE"] = workspace
        if self.overrides is not None:
            env["AWS_ENDPOINT_URL"] = self.overrides.endpoint_url
            # Layers that read upstream state merge this into their terraform_remote_state config.
            env["TF_VAR_backend_overrides"] = json.dumps(self.overrides.settings())
        return env

    # ---------------------------------------------------------------------------------------------- version
    def version(self) -> str:
        """The binary's version (read once); a binary that cannot say is binary.version's ConfigError."""
        if self._version is None:
            self._version = binary.version(self.binary, self.environment(self.plugin_cache_dir, None))
        return self._version

    def check_version(self, folders: Sequence[Path]) -> str:
        """The Terraform version, after checking it against every layer's ``required_version``."""
        version = self.version()
        for folder in folders:
            for name, constraint in binary.required_versions(folder):
                try:
                    ok = binary.satisfies(version, constraint)
                except ValueError as exc:
                    raise TerraformError(f"{folder / name}: {exc}") from None
                if not ok:
                    raise TerraformError(
                        f"Terraform {version} ({self.binary}) does not satisfy required_version "
                        f'"{constraint}" in {folder / name}',
                        hint="install a matching Terraform (./dev setup installs 1.15.5) or pass --terraform PATH",
                    )
        return version

    # ---------------------------------------------------------------------------------------------- running
    def session(self, workdir: Path, workspace: str, data_dir: Path, log: TextIO) -> NodeSession:
        if self.workdir_copy is not None:
            repo, copy = self.workdir_copy
            if workdir.resolve().is_relative_to(repo.resolve()):
                workdir = copy / workdir.resolve().relative_to(repo.resolve())
        return NodeSession(self, workdir, workspace, data_dir, log)

    def execute(self, args: list[str], cwd: Path, env: dict[str, str], log: TextIO) -> tuple[int, str, bool]:
        """Run one command, streaming its output to ``log``; (exit code, output, interrupted)."""
        log.write(f"$ terraform {' '.join(args)}\n")
        log.flush()
        try:
            proc = self.processes.start(
                lambda: subprocess.Popen(
                    [str(self.binary), *args],
                    cwd=cwd,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    errors="replace",
                    start_new_session=True,  # Ctrl-C reaches clientctl only; it forwards SIGINT on purpose
                )
            )
        except OSError as exc:
            raise TerraformError(f"cannot run Terraform at {self.binary}: {exc}") from None
        chunks: list[str] = []
        with proc:
            try:
                assert proc.stdout is not None
                for line in proc.stdout:
                    chunks.append(line)
                    log.write(line)
                code = proc.wait()
            finally:
                self.processes.discard(proc)
        log.write(f"[exit {code}]\n\n")
        log.flush()
        return code, "".join(chunks), self.processes.signalled > 0


class NodeSession:
    """The Terraform commands of one (client, layer)."""

    def __init__(self, runner: TerraformRunner, workdir: Path, workspace: str, data_dir: Path, log: TextIO):
        self.started = dt.datetime.now(dt.UTC)
        self._node_lock: int | None = None
        self.runner = runner
        self.workdir = workdir
        self.workspace = workspace
        self.data_dir = data_dir
        self.log = log
        if runner.release_own_locks:
            self._hold_node()  # from the start, so a second clientctl on this node never takes it for orphaned

    def _run(
        self, step: str, args: list[str], *, workspace: bool = True, ok_codes: tuple[int, ...] = (0,)
    ) -> StepResult:
        runner = self.runner
        env = runner.environment(self.data_dir, self.workspace if workspace else None)
        started = time.monotonic()
        # A lock on this node's state created by this machine's user after the node's session began is the
        # node's own: an SDK retry of a lock request that had succeeded, or an unlock that was lost, left it
        # (seen: `init` exits 0 and the following `workspace new` trips over init's lock). Not the current
        # attempt's start: with short per-call lock waits (lock_attempt_timeout) a retry starts after it.
        step_started = self.started
        retried: list[str] = []
        attempt = 0
        while True:
            attempt += 1
            code, output, interrupted = runner.execute(args, self.workdir, env, self.log)
            if code in ok_codes or interrupted:
                break
            holder = parse_lock_error(output)
            if holder is not None and holder.id and self._own_lock(holder, step_started):
                note = (
                    f"[clientctl] lock {holder.id} was taken by this very step (same user@host, created after it "
                    "started): the AWS SDK retried a lock request whose first attempt had succeeded, or an unlock "
                    "was lost"
                )
                if runner.release_own_locks and retried.count("own-lock") < OWN_LOCK_RELEASES:
                    self.log.write(f"{note}; the sandbox releases it and runs the step again\n")
                    self.log.flush()
                    # Always in the node's workspace: init and `workspace new` run without TF_WORKSPACE, and a
                    # force-unlock there targets the default workspace, leaving the node's lock in place.
                    unlock_env = runner.environment(self.data_dir, self.workspace)
                    unlocked, _, _ = runner.execute(
                        ["force-unlock", "-force", holder.id], self.workdir, unlock_env, self.log
                    )
                    if unlocked != 0 and runner.release_lock is not None:
                        self._release_directly(runner.release_lock, holder)
                    retried.append("own-lock")
                    runner.sleep(OWN_LOCK_PAUSE * retried.count("own-lock"))  # let the slow sandbox catch up
                    attempt -= 1
                    continue
                self.log.write(f"{note}; release it with `clientctl lock release {holder.id}`\n")
                self.log.flush()
                break
            if holder is not None:
                # Held by someone else: Terraform waited lock_attempt_timeout; keep trying up to lock_timeout.
                remaining = runner.lock_timeout_seconds - (time.monotonic() - started)
                if remaining > 0:
                    runner.sleep(min(1.0, remaining))
                    attempt -= 1
                    continue
                break
            pattern = transient_match(output)
            if pattern is None or attempt > runner.retries:
                break
            delay = runner.backoff * (2 ** (attempt - 1))
            retried.append(pattern)
            self.log.write(f"[clientctl] transient error matched {pattern!r}; retry {attempt} in {delay:.1f}s\n")
            self.log.flush()
            runner.sleep(delay)
        lock = parse_lock_error(output) if code not in ok_codes else None
        return StepResult(step, code, output, time.monotonic() - started, attempt, retried, lock, interrupted)

    def _release_directly(self, release: Callable[[Path, LockInfo], list[str]], holder: LockInfo) -> None:
        """Remove the node's own lock from the backend itself (TerraformRunner.release_lock), and say so."""
        try:
            removed = release(self.workdir, holder)
        except Exception as exc:  # logged; the (bounded) retry of the step sees whether the lock is gone
            self.log.write(f"[clientctl] could not remove lock {holder.id} from the backend: {exc}\n")
        else:
            what = ", ".join(removed) if removed else "nothing (it was gone already)"
            self.log.write(
                f"[clientctl] force-unlock could not release it (the workspace's state may not exist yet); "
                f"removed from the backend: {what}\n"
            )
        self.log.flush()

    def _own_lock(self, holder: LockInfo, step_started: dt.datetime) -> bool:
        """Whether a lock on this node's state was left by this node itself: taken by this user@host since the
        session began or, on the sandbox (one machine), by this user@host while no other clientctl process
        works on this node (it holds the node's local lock), so whatever left it is gone (a lost unlock of an
        earlier run, seen in the full suite)."""
        who = terraform_identity()
        if holder.taken_by_this_step(step_started, who):
            return True
        return self.runner.release_own_locks and holder.who == who and self._hold_node()

    def _hold_node(self) -> bool:
        """Take (once) a non-blocking local lock on this node's data folder; False if another process has it."""
        if self._node_lock is not None:
            return True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.data_dir / ".clientctl-node.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._node_lock = fd
        weakref.finalize(self, os.close, fd)  # released with the session
        return True

    def _init_fingerprint(self, backend_files: list[Path]) -> str:
        digest = hashlib.sha256()
        for path in [*sorted(self.workdir.glob("*.tf")), self.workdir / ".terraform.lock.hcl", *backend_files]:
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(self.workspace.encode())
        return digest.hexdigest()

    def init(self, backend_config: str = "backend.hcl") -> StepResult:
        """``init`` + ``workspace select -or-create``; skipped when this data folder is already initialised
        for the same configuration, backend settings and workspace."""
        runner = self.runner
        self.data_dir.mkdir(parents=True, exist_ok=True)
        runner.plugin_cache_dir.mkdir(parents=True, exist_ok=True)
        files = [self.workdir / backend_config]
        args = ["init", "-input=false", "-no-color", f"-lock-timeout={runner.lock_attempt_timeout}"]
        args.append(f"-backend-config={backend_config}")
        if runner.overrides is not None:
            override = self.data_dir / "backend-overrides.hcl"
            override.write_text(runner.overrides.hcl(), encoding="utf-8")
            files.append(override)
            args.append(f"-backend-config={override}")
        marker = self.data_dir / INIT_MARKER
        fingerprint = self._init_fingerprint(files)
        if marker.is_file() and marker.read_text(encoding="utf-8").strip() == fingerprint:
            self.log.write("[clientctl] data folder already initialised for these inputs; init skipped\n")
            return StepResult("init", 0, "", 0.0, attempts=0)
        folder_key = str(self.workdir.resolve())
        lock_name = hashlib.sha256(folder_key.encode()).hexdigest()[:16]
        global_needed = not providers_cached(self.workdir, runner.plugin_cache_dir)
        with contextlib.ExitStack() as stack:
            if global_needed:
                stack.enter_context(runner._cache_lock)
                stack.enter_context(file_lock(runner.plugin_cache_dir / ".clientctl-locks" / "cache.lock"))
            stack.enter_context(runner._folder_locks.get(folder_key))
            stack.enter_context(file_lock(runner.plugin_cache_dir / ".clientctl-locks" / f"{lock_name}.lock"))
            result = self._run("init", args, workspace=False)
        if not result.ok:
            return result
        # Create the workspace when missing; plan/apply then select it through TF_WORKSPACE. (`workspace select
        # -or-create` takes no -lock-timeout; a held lock here is waited for by _run.)
        args = ["workspace", "new", "-no-color", f"-lock-timeout={runner.lock_attempt_timeout}", self.workspace]
        ws = self._run("workspace", args, workspace=False)
        if not ws.ok and "already exists" in ws.output:
            ws.exit_code = 0
        ws.duration += result.duration
        ws.step = "init"
        if ws.ok:
            # Taken again after init, which writes the lock file: a lock file deleted or changed since (e.g.
            # workcopy.forget_other_standins) then means init again, and an unchanged one means skip.
            marker.write_text(self._init_fingerprint(files) + "\n", encoding="utf-8")
        return ws

    def plan(
        self, out: Path, *, destroy: bool = False, refresh_only: bool = False
    ) -> tuple[StepResult, PlanSummary | None]:
        """``plan -detailed-exitcode -out``: exit 0 no changes, 2 changes, 1 error."""
        out.parent.mkdir(parents=True, exist_ok=True)
        args = [
            "plan",
            "-input=false",
            "-no-color",
            "-detailed-exitcode",
            f"-lock-timeout={self.runner.lock_attempt_timeout}",
            f"-out={out}",
        ]
        if destroy:
            args.append("-destroy")
        if refresh_only:
            args.append("-refresh-only")
        marker = out.with_name(out.name + STANDIN_PLAN_SUFFIX)
        marker.unlink(missing_ok=True)
        result = self._run("plan", args, ok_codes=(0, 2))
        if self.runner.standins and out.exists():
            marker.write_text("planned with the clientctl provider stand-ins: sandbox only\n", encoding="utf-8")
        summary = parse_plan_line(result.output) if result.exit_code in (0, 2) else None
        return result, summary

    def show_summary(self, plan_file: Path) -> PlanSummary | None:
        """Counts from ``show -json PLAN`` (more exact than the plan line); None if it cannot be read."""
        result = self._run("show", ["show", "-json", "-no-color", str(plan_file)])
        if not result.ok:
            return None
        try:
            return summary_from_show_json(result.output.splitlines()[-1] if result.output else "{}")
        except ValueError:
            return None

    def apply(self, plan_file: Path) -> StepResult:
        """Apply exactly the saved plan (Terraform refuses it if the state changed since). A plan made with the
        provider stand-ins is refused by a runner that is not using them (a real account)."""
        if plan_file.with_name(plan_file.name + STANDIN_PLAN_SUFFIX).exists() and not self.runner.standins:
            raise TerraformError(
                f"{plan_file} was planned with the provider stand-ins (sandbox only); refusing to apply it here",
                hint="plan again against this endpoint with the real providers",
            )
        args = [
            "apply",
            "-input=false",
            "-no-color",
            f"-lock-timeout={self.runner.lock_attempt_timeout}",
            str(plan_file),
        ]
        return self._run("apply", args)
