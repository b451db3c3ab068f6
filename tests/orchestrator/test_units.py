"""Pure parts of the orchestrator (no Terraform) and the faults only a fake Terraform can produce."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from clientctl.aws.session import AwsTarget
from clientctl.orchestrator.graph import Node, build_graph, layer_edges
from clientctl.terraform.output import PlanSummary, parse_lock_error, parse_plan_line, transient_match
from clientctl.terraform.runner import StepResult, TerraformError, TerraformRunner

LOCK_BLOCK = """
Error: Error acquiring the state lock

Error message: operation error DynamoDB: PutItem, ConditionalCheckFailedException
Lock Info:
  ID:        3c1a-77
  Path:      bucket/env:/acme/key
  Operation: OperationTypePlan
  Who:       bob@ci
  Version:   1.15.5
  Created:   2026-11-27 00:00:00 +0000 UTC
  Info:

Terraform acquires a state lock to protect the state from being written
"""


def test_parsing() -> None:
    lock = parse_lock_error(LOCK_BLOCK)
    assert lock is not None and (lock.who, lock.id, lock.operation) == ("bob@ci", "3c1a-77", "OperationTypePlan")
    assert parse_lock_error("Error: something else") is None
    assert transient_match(LOCK_BLOCK + " i/o timeout") is None  # lock conflicts are never "transient"
    assert transient_match("read tcp: connection reset by peer") == "connection-reset"
    assert transient_match("Error: Invalid reference") is None
    summary = parse_plan_line("Plan: 2 to add, 1 to change, 3 to destroy.")
    assert summary is not None and (summary.add, summary.change, summary.destroy) == (2, 1, 3)
    assert parse_plan_line("No changes. Your infrastructure matches") is not None


def test_graph_subset_and_reverse() -> None:
    assert layer_edges(["01-foundation", "05-cluster-services"]) == {
        "01-foundation": set(),
        "05-cluster-services": {"01-foundation"},  # through the unselected 02-platform
    }
    graph = build_graph(["a"], ["01-foundation", "02-platform", "03-database"], reverse=True)
    assert graph[Node("a", "01-foundation")] == {Node("a", "02-platform"), Node("a", "03-database")}


FAKE = """#!/bin/sh
# Fake Terraform for faults the real binary cannot produce on demand.
case "$1" in
  version) echo '{"terraform_version": "%(version)s"}'; exit 0 ;;
esac
count_file="%(state)s/count"
n=$(cat "$count_file" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$count_file"
if [ "$n" -le %(transient)d ]; then echo "Error: read tcp 127.0.0.1: connection reset by peer"; exit 1; fi
if [ "%(fatal)s" = yes ]; then echo "Error: Unsupported argument"; exit 1; fi
echo "Plan: 1 to add, 0 to change, 0 to destroy."; exit 2
"""


def _fake(tmp_path: Path, *, version: str = "1.15.5", transient: int = 0, fatal: bool = False) -> TerraformRunner:
    script = tmp_path / "terraform"
    values = {"version": version, "state": tmp_path, "transient": transient, "fatal": "yes" if fatal else "no"}
    script.write_text(FAKE % values)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    sleeps: list[float] = []
    runner = TerraformRunner(
        script, env={"PATH": "/usr/bin:/bin"}, plugin_cache_dir=tmp_path / "cache", sleep=sleeps.append
    )
    runner.sleeps = sleeps  # type: ignore[attr-defined]
    return runner


def test_transient_error_is_retried_with_backoff(tmp_path: Path) -> None:
    runner = _fake(tmp_path, transient=2)
    log = io.StringIO()
    step, summary = runner.session(tmp_path, "acme", tmp_path / "data", log).plan(tmp_path / "p.tfplan")
    assert step.exit_code == 2 and step.attempts == 3
    assert step.retried_on == ["connection-reset", "connection-reset"]
    assert runner.sleeps == [2.0, 4.0]  # type: ignore[attr-defined]
    assert summary is not None and summary.add == 1
    assert "transient error matched 'connection-reset'" in log.getvalue()


def test_other_errors_are_never_retried(tmp_path: Path) -> None:
    runner = _fake(tmp_path, fatal=True)
    step, _ = runner.session(tmp_path, "acme", tmp_path / "data", io.StringIO()).plan(tmp_path / "p.tfplan")
    assert step.exit_code == 1 and step.attempts == 1 and step.retried_on == []


def test_version_is_checked_against_required_version(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "versions.tf").write_text('terraform {\n  required_version = ">= 1.10.0"\n}\n')
    with pytest.raises(TerraformError, match=r'Terraform 1\.9\.1 .* does not satisfy required_version ">= 1\.10\.0"'):
        _fake(tmp_path, version="1.9.1").check_version([layer])
    assert _fake(tmp_path).check_version([layer]) == "1.15.5"


OWN_LOCK_FAKE = """#!/bin/sh
# Fake Terraform: the first plan trips over a lock with this machine's identity, created just now (what a
# retried DynamoDB PutItem whose first attempt succeeded leaves behind); force-unlock is recorded.
case "$1" in
  version) echo '{"terraform_version": "1.15.5"}'; exit 0 ;;
  force-unlock) echo "$*" >> "%(state)s/unlocked"; exit 0 ;;
esac
count_file="%(state)s/count"
n=$(cat "$count_file" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$count_file"
if [ "$n" -eq 1 ]; then
  cat <<LOCK
Error: Error acquiring the state lock

Error message: operation error DynamoDB: PutItem, ConditionalCheckFailedException
Lock Info:
  ID:        0a1b-own
  Path:      b/env:/acme/k
  Operation: OperationTypePlan
  Who:       %(who)s
  Version:   1.15.5
  Created:   $(date -u '+%%Y-%%m-%%d %%H:%%M:%%S').123456789 +0000 UTC
  Info:
LOCK
  exit 1
fi
echo "Plan: 1 to add, 0 to change, 0 to destroy."; exit 2
"""


@pytest.mark.parametrize("sandbox", [True, False])
def test_a_lock_the_step_took_itself(tmp_path: Path, sandbox: bool) -> None:
    """Against the sandbox the step's own orphaned lock is released and the step rerun; against AWS it is
    reported with the command to release it, never removed automatically."""

    script = _fake_terraform(tmp_path, OWN_LOCK_FAKE)
    runner = TerraformRunner(
        script, env={"PATH": "/usr/bin:/bin"}, plugin_cache_dir=tmp_path / "cache", release_own_locks=sandbox
    )
    log = io.StringIO()
    step, _ = runner.session(tmp_path, "acme", tmp_path / "data", log).plan(tmp_path / "p.tfplan")
    assert "was taken by this very step" in log.getvalue()
    if sandbox:
        assert step.exit_code == 2 and step.retried_on == ["own-lock"]
        assert (tmp_path / "unlocked").read_text().split() == ["force-unlock", "-force", "0a1b-own"]
    else:
        assert step.exit_code == 1 and step.lock is not None and step.lock.id == "0a1b-own"
        assert not (tmp_path / "unlocked").exists()
        assert "clientctl lock release 0a1b-own" in log.getvalue()


@pytest.mark.parametrize(
    ("endpoint", "static", "expected"),
    [
        ("https://127.0.0.1:4566", False, True),
        ("http://localhost:5000", False, True),
        ("http://[::1]:5000", False, True),
        (None, True, True),  # the embedded sandbox
        ("https://s3.us-east-2.amazonaws.com", False, False),
        ("https://10.0.0.5:9000", False, False),
        (None, False, False),
    ],
)
def test_own_locks_are_released_only_on_local_emulators(
    endpoint: str | None, static: bool, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientctl.aws.session import AwsTarget
    from clientctl.terraform.setup import _local_emulator

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    target = AwsTarget(endpoint_url=endpoint, static_credentials=("k", "s") if static else None)
    assert _local_emulator(target) is expected


SLOW_FAKE = """#!/bin/sh
# Fake Terraform that runs until signalled: it records SIGINT (and exits like Terraform does) unless told
# to ignore it, in which case only SIGKILL stops it.
case "$1" in
  version) echo '{"terraform_version": "1.15.5"}'; exit 0 ;;
esac
if [ "%(ignore)s" = yes ]; then trap 'echo int >> "%(state)s/signals"' INT
else trap 'echo int >> "%(state)s/signals"; exit 130' INT
fi
echo started > "%(state)s/started"
i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
exit 0
"""


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize("ignore_sigint", [False, True])
def test_ctrl_c_escalates_stop_then_sigint_then_kill(tmp_path: Path, ignore_sigint: bool) -> None:
    import threading

    from clientctl.orchestrator.engine import RunControl

    script = tmp_path / "terraform"
    script.write_text(SLOW_FAKE % {"state": tmp_path, "ignore": "yes" if ignore_sigint else "no"})
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    runner = TerraformRunner(script, env={"PATH": "/usr/bin:/bin"}, plugin_cache_dir=tmp_path / "cache")
    control = RunControl()
    control.runner = runner
    notices: list[str] = []
    control.notice = notices.append
    results: list[tuple[StepResult, PlanSummary | None]] = []
    worker = threading.Thread(
        target=lambda: results.append(
            runner.session(tmp_path, "acme", tmp_path / "data", io.StringIO()).plan(tmp_path / "p.tfplan")
        )
    )
    signals = tmp_path / "signals"
    worker.start()
    # Each step waits for the event it needs (a file the fake writes), never for a fixed time: under -n auto
    # a loaded machine delays the shell's trap by seconds (it runs only after its current `sleep 0.1`).
    assert wait_until(lambda: (tmp_path / "started").exists()), "the fake Terraform never started"
    control.interrupt()  # 1: stop scheduling; the running Terraform is left alone
    assert control.stop.is_set() and not signals.exists()
    control.interrupt()  # 2: SIGINT, Terraform's graceful stop
    assert wait_until(lambda: signals.is_file() and signals.read_text().split() == ["int"]), "no SIGINT arrived"
    if ignore_sigint:
        assert worker.is_alive()  # it ignores SIGINT and loops for 30 s more
        control.interrupt()  # 3: kill
    worker.join(timeout=60)
    assert not worker.is_alive()
    step, _summary = results[0]
    assert step.interrupted
    assert step.exit_code == (-9 if ignore_sigint else 130)
    assert len(notices) == (3 if ignore_sigint else 2)


WAITING_OWN_LOCK_FAKE = """#!/bin/sh
# Fake Terraform as issue 13.8 saw it: the plan's own lock request was retried by the SDK, so Terraform waits
# the whole -lock-timeout (recorded here instead of slept) before it reports the lock "held" by this machine.
case "$1" in
  version) echo '{"terraform_version": "1.15.5"}'; exit 0 ;;
  force-unlock) echo "$*" >> "%(state)s/unlocked"; exit 0 ;;
esac
for arg in "$@"; do case "$arg" in -lock-timeout=*) echo "${arg#-lock-timeout=}" >> "%(state)s/waits" ;; esac; done
n=$(cat "%(state)s/count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "%(state)s/count"
if [ "$n" -eq 1 ]; then
  printf 'Error: Error acquiring the state lock\\n\\nLock Info:\\n  ID:        0a1b-own\\n  Path:      b/k\\n'
  printf '  Operation: OperationTypePlan\\n  Who:       %(who)s\\n  Version:   1.15.5\\n'
  printf '  Created:   %%s.123456789 +0000 UTC\\n  Info:\\n' "$(date -u '+%%Y-%%m-%%d %%H:%%M:%%S')"
  exit 1
fi
echo "Plan: 1 to add, 0 to change, 0 to destroy."; exit 2
"""


def test_sandbox_waits_seconds_not_the_whole_lock_timeout_on_its_own_lock(tmp_path: Path) -> None:
    """Issue 13.8: `drift --all` sat 300 s on a node's own lock. In the sandbox each Terraform call now waits
    the short attempt timeout, then the runner sees the lock is its own, releases it and reruns."""
    from clientctl.terraform.setup import SANDBOX_LOCK_ATTEMPT

    script = _fake_terraform(tmp_path, WAITING_OWN_LOCK_FAKE)
    runner = TerraformRunner(
        script,
        env={"PATH": "/usr/bin:/bin"},
        plugin_cache_dir=tmp_path / "cache",
        lock_timeout="300s",
        release_own_locks=True,
        lock_attempt_timeout=SANDBOX_LOCK_ATTEMPT,
    )
    log = io.StringIO()
    step, _ = runner.session(tmp_path, "acme", tmp_path / "data", log).plan(tmp_path / "p.tfplan")
    assert step.exit_code == 2 and step.retried_on == ["own-lock"], log.getvalue()
    waits = (tmp_path / "waits").read_text().split()
    assert waits == [SANDBOX_LOCK_ATTEMPT, SANDBOX_LOCK_ATTEMPT]  # never the 300 s lock timeout
    assert runner.lock_timeout_seconds == 300


def test_against_aws_terraform_waits_the_full_lock_timeout(tmp_path: Path) -> None:
    """Outside the sandbox nothing changes: one call, the user's -lock-timeout."""
    from clientctl.terraform.setup import make_runner

    target = AwsTarget(endpoint_url="https://s3.us-east-2.amazonaws.com", region="us-east-2")
    runner = make_runner(tmp_path, target, terraform=str(tmp_path / "terraform"), lock_timeout="300s")
    assert runner.lock_attempt_timeout == "300s" and not runner.standins and runner.workdir_copy is None


def test_a_plan_made_with_the_stand_ins_is_never_applied_by_a_real_runner(tmp_path: Path) -> None:
    """Issue 10.2: plans from stand-in runs are marked; a runner with real providers refuses them."""
    from clientctl.terraform.runner import STANDIN_PLAN_SUFFIX

    script = tmp_path / "terraform"
    script.write_text(
        f'#!/bin/sh\necho "Plan: 1 to add, 0 to change, 0 to destroy."; touch "{tmp_path}/p.tfplan"; exit 2\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    plan = tmp_path / "p.tfplan"
    sandbox = TerraformRunner(script, env={"PATH": "/usr/bin:/bin"}, plugin_cache_dir=tmp_path / "c", standins=True)
    step, _ = sandbox.session(tmp_path, "acme", tmp_path / "d", io.StringIO()).plan(plan)
    assert step.exit_code == 2 and plan.with_name(plan.name + STANDIN_PLAN_SUFFIX).is_file()
    real = TerraformRunner(script, env={"PATH": "/usr/bin:/bin"}, plugin_cache_dir=tmp_path / "c")
    with pytest.raises(TerraformError, match="planned with the provider stand-ins"):
        real.session(tmp_path, "acme", tmp_path / "d", io.StringIO()).apply(plan)


def test_a_real_run_refuses_a_cli_config_that_loads_the_stand_ins(tmp_path: Path) -> None:
    from clientctl.errors import ConfigError
    from clientctl.terraform.setup import make_runner
    from clientctl.terraform.standin import install

    config = install(tmp_path / "standin", warm_cache=False).cli_config_file
    target = AwsTarget(endpoint_url="https://s3.us-east-2.amazonaws.com", region="us-east-2")
    with pytest.raises(ConfigError, match="installs the clientctl provider stand-ins"):
        make_runner(tmp_path, target, terraform=str(script_path(tmp_path)), env={"TF_CLI_CONFIG_FILE": str(config)})


def test_a_real_run_refuses_a_stand_in_cli_config_written_before_the_move(tmp_path: Path) -> None:
    """A terraform.rc written while the stand-ins lived in clientctl.iac.standin names that module: still refused."""
    from clientctl.errors import ConfigError
    from clientctl.terraform.setup import make_runner

    config = tmp_path / "terraform.rc"
    config.write_text("# Written by clientctl.iac.standin.install: provider stand-ins only, never the registry.\n")
    target = AwsTarget(endpoint_url="https://s3.us-east-2.amazonaws.com", region="us-east-2")
    with pytest.raises(ConfigError, match="installs the clientctl provider stand-ins"):
        make_runner(tmp_path, target, terraform=str(script_path(tmp_path)), env={"TF_CLI_CONFIG_FILE": str(config)})


def script_path(tmp_path: Path) -> Path:
    path = tmp_path / "terraform"
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


LATE_OWN_LOCK_FAKE = """#!/bin/sh
# Fake Terraform as the full suite saw it: `init` succeeds but leaves its lock behind (a lost unlock), so the
# next command of the same step, `workspace new`, trips over a lock created before that command started.
case "$1" in
  version) echo '{"terraform_version": "1.15.5"}'; exit 0 ;;
  force-unlock) echo "$* workspace=$TF_WORKSPACE" >> "%(state)s/unlocked"; rm -f "%(state)s/lock"; exit 0 ;;
  init) date -u '+%%Y-%%m-%%d %%H:%%M:%%S' > "%(state)s/lock"; sleep 1; echo "Terraform has been successfully initialized!"; exit 0 ;;
esac
if [ -f "%(state)s/lock" ]; then
  printf 'Error: Error acquiring the state lock\\n\\nLock Info:\\n  ID:        0a1b-own\\n  Path:      b/k\\n'
  printf '  Operation: OperationTypeInit\\n  Who:       %(who)s\\n  Version:   1.15.5\\n'
  printf '  Created:   %%s.123456789 +0000 UTC\\n  Info:\\n' "$(cat "%(state)s/lock")"
  exit 1
fi
echo "Created and switched to workspace"; exit 0
"""


def test_a_lock_left_by_an_earlier_command_of_the_same_node_is_its_own(tmp_path: Path) -> None:
    """Full-suite failure: init exited 0 but its lock stayed; `workspace new` waited the whole lock timeout.
    Own locks are judged against the node session's start, not the current command's."""

    script = _fake_terraform(tmp_path, LATE_OWN_LOCK_FAKE)
    runner = TerraformRunner(
        script,
        env={"PATH": "/usr/bin:/bin"},
        plugin_cache_dir=tmp_path / "cache",
        release_own_locks=True,
        lock_timeout="20s",
        lock_attempt_timeout="1s",
    )
    step = runner.session(tmp_path, "acme", tmp_path / "data", io.StringIO()).init()
    assert step.ok and "own-lock" in step.retried_on, step
    # in the node's workspace, although init itself runs without TF_WORKSPACE (the clean-clone CI failure)
    assert (tmp_path / "unlocked").read_text().split() == ["force-unlock", "-force", "0a1b-own", "workspace=acme"]


ORPHAN_LOCK_FAKE = """#!/bin/sh
# Fake Terraform: a lock by this user@host from before the session (an earlier run's lost unlock) blocks it.
case "$1" in
  version) echo '{"terraform_version": "1.15.5"}'; exit 0 ;;
  force-unlock) echo "$*" >> "%(state)s/unlocked"; rm -f "%(state)s/lock"; exit 0 ;;
esac
if [ -f "%(state)s/lock" ]; then
  printf 'Error: Error acquiring the state lock\\n\\nLock Info:\\n  ID:        0a1b-old\\n  Path:      b/k\\n'
  printf '  Operation: OperationTypeInit\\n  Who:       %(who)s\\n  Version:   1.15.5\\n'
  printf '  Created:   2026-01-01 00:00:00.123456789 +0000 UTC\\n  Info:\\n'
  exit 1
fi
echo "Plan: 1 to add, 0 to change, 0 to destroy."; exit 2
"""


@pytest.mark.parametrize("other_process_on_node", [False, True])
def test_sandbox_releases_an_orphaned_lock_of_this_machine_unless_another_clientctl_works_on_the_node(
    tmp_path: Path, other_process_on_node: bool
) -> None:
    import fcntl

    (tmp_path / "lock").write_text("x")
    script = _fake_terraform(tmp_path, ORPHAN_LOCK_FAKE)
    data = tmp_path / "data"
    data.mkdir()
    other = os.open(data / ".clientctl-node.lock", os.O_RDWR | os.O_CREAT)  # another clientctl on this node
    if other_process_on_node:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    runner = TerraformRunner(
        script,
        env={"PATH": "/usr/bin:/bin"},
        plugin_cache_dir=tmp_path / "cache",
        release_own_locks=True,
        lock_timeout="2s",
        lock_attempt_timeout="1s",
        sleep=lambda _s: None,
    )
    log = io.StringIO()
    step, _ = runner.session(tmp_path, "acme", data, log).plan(tmp_path / "p.tfplan")
    if other_process_on_node:
        assert step.exit_code == 1 and not (tmp_path / "unlocked").exists(), log.getvalue()
    else:
        assert step.exit_code == 2 and step.retried_on == ["own-lock"], log.getvalue()
    os.close(other)


def _fake_terraform(tmp_path: Path, template: str) -> Path:
    """A fake Terraform from ``template`` (``%(state)s``: tmp_path, ``%(who)s``: this machine's user@host)."""
    from clientctl.terraform.runner import terraform_identity

    script = tmp_path / "terraform"
    script.write_text(template % {"state": tmp_path, "who": terraform_identity()})
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_upstream_and_downstream_follow_the_declared_graph() -> None:
    from clientctl.layers import downstream, upstream

    assert upstream("06-observability") == ("01-foundation", "02-platform", "05-cluster-services")
    assert upstream("01-foundation") == ()
    assert downstream("01-foundation") == (
        "02-platform",
        "03-database",
        "04-standalone-compute",
        "05-cluster-services",
        "06-observability",
    )
    assert downstream("02-platform") == ("05-cluster-services", "06-observability")
    assert downstream("03-database") == ()
