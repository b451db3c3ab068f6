"""The sandbox's own lifecycle faults: started twice, and gone (killed) while its state file remains."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from clientctl import sandbox
from tests.helpers import Runner


def test_started_twice_then_gone_then_restarted(tmp_path: Path, cli: Runner) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "platform.yaml").write_text((Path(__file__).parents[2] / "platform.yaml").read_text())
    try:
        first = cli("sandbox", "start", cwd=repo)
        assert first.code == 0, first.text
        state = json.loads((repo / ".clientctl" / "sandbox.json").read_text())

        again = cli("sandbox", "start", cwd=repo)
        assert again.code != 0 and "already running" in again.text and str(state["pid"]) in again.text
        assert "Traceback" not in again.text

        os.kill(state["pid"], signal.SIGKILL)  # the server dies; its state file stays behind
        for _ in range(50):
            try:
                os.kill(state["pid"], 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        status = cli("sandbox", "status", cwd=repo)
        assert "gone" in status.text or "stale" in status.text, status.text
        # Reaped through its Popen, which forgets it: reaped behind Popen's back, the dead server stayed in the
        # table and Python warned "subprocess ... is still running" at exit.
        assert state["pid"] not in sandbox._CHILDREN
        used = cli("s3", "verify", "--sandbox", cwd=repo)
        assert used.code == 2 and "the sandbox recorded in .clientctl is gone" in used.text
        assert "clientctl sandbox start" in used.text and "Traceback" not in used.text

        restarted = cli("sandbox", "start", cwd=repo)  # the stale state is replaced
        assert restarted.code == 0, restarted.text
        assert json.loads((repo / ".clientctl" / "sandbox.json").read_text())["pid"] != state["pid"]
    finally:
        cli("sandbox", "stop", cwd=repo)
    assert not (repo / ".clientctl" / "sandbox.json").exists()
