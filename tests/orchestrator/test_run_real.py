"""The orchestrator with the real Terraform binary against moto's S3/DynamoDB (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from clientctl.layers import LAYER_NAMES
from tests.helpers import Runner
from tests.orchestrator.conftest import Sandbox

CLIENTS = ("acme-corp", "globex")
UPSTREAM = {
    "02-platform": "01-foundation",
    "03-database": "01-foundation",
    "04-standalone-compute": "01-foundation",
    "05-cluster-services": "02-platform",
    "06-observability": "05-cluster-services",
}


# A lock that is never released fails a test in a minute rather than after Terraform's default five.
LOCK_TIMEOUT = ("--lock-timeout", "60s")


def _report(sandbox: Sandbox, out: str) -> dict[str, Any]:
    data = json.loads(out)
    assert data["schema"] == "clientctl/run-report" and data["schema_version"] == 1
    on_disk = json.loads((sandbox.root / ".clientctl" / "runs" / data["run_id"] / "report.json").read_text())
    assert on_disk["nodes"] == data["nodes"]
    return dict(data)


def _nodes(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(n["client"], n["layer"]): n for n in report["nodes"]}


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _step(node: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in reversed(node["steps"]) if s["step"] == name)


def test_apply_drift_destroy_follow_the_graph(sandbox: Sandbox, cli: Runner) -> None:
    root = ["--root", str(sandbox.root), "-o", "json"]
    res = cli(*root, "apply", *CLIENTS, "--auto-approve", "--parallelism", "4", *LOCK_TIMEOUT)
    assert res.code == 0, res.text
    report = _report(sandbox, res.out)
    nodes = _nodes(report)
    assert {n["status"] for n in nodes.values()} == {"succeeded"}
    assert report["versions"]["terraform"] == "1.15.5"
    # order: every layer's apply started after its upstream's apply finished (per client)
    for (client, layer), node in nodes.items():
        assert node["plan"]["add"] == 1
        assert (sandbox.root / node["log"]).is_file()
        if layer in UPSTREAM:
            up = nodes[(client, UPSTREAM[layer])]
            assert _ts(_step(node, "apply")["started_at"]) >= _ts(_step(up, "apply")["finished_at"])
    # clients ran in parallel: some acme-corp and globex steps overlap in time
    spans = {
        c: [
            (_ts(s["started_at"]), _ts(s["finished_at"])) for (cl, _), n in nodes.items() if cl == c for s in n["steps"]
        ]
        for c in CLIENTS
    }
    assert any(a0 < b1 and b0 < a1 for a0, a1 in spans["acme-corp"] for b0, b1 in spans["globex"])
    # one state per client and layer, under the workspace key
    expected = {sandbox.state_key(c, ly) for c in CLIENTS for ly in LAYER_NAMES}
    assert sandbox.state_keys() == expected
    state = sandbox.state("globex", "05-cluster-services")
    assert state["outputs"]["id"]["value"] == "05-cluster-services/globex"
    managed = next(r for r in state["resources"] if r["mode"] == "managed")
    assert managed["instances"][0]["attributes"]["input"]["value"]["upstreams"] == {
        "01-foundation": "01-foundation/globex",
        "02-platform": "02-platform/globex",
    }

    res = cli(*root, "drift", *CLIENTS, "--layer", "01-foundation", "--layer", "03-database", *LOCK_TIMEOUT)
    assert res.code == 0, res.text
    assert {n["status"] for n in json.loads(res.out)["nodes"]} == {"no-changes"}
    # a change to one layer's code shows up as drift of that layer only (exit 1)
    main_tf = sandbox.layer_dir("03-database") / "main.tf"
    main_tf.write_text(main_tf.read_text() + '\noutput "extra" {\n  value = "x"\n}\n')
    res = cli(*root, "drift", *CLIENTS, "--layer", "01-foundation", "--layer", "03-database", *LOCK_TIMEOUT)
    assert res.code == 1, res.text
    drifted = {k for k, n in _nodes(json.loads(res.out)).items() if n["status"] == "changes"}
    assert drifted == {(c, "03-database") for c in CLIENTS}

    res = cli(*root, "destroy", *CLIENTS, "--auto-approve", *LOCK_TIMEOUT)
    assert res.code == 0, res.text
    nodes = _nodes(_report(sandbox, res.out))
    assert {n["status"] for n in nodes.values()} == {"succeeded"}
    for (client, layer), node in nodes.items():
        assert node["plan"]["destroy"] == 1
        if layer in UPSTREAM:  # reverse: the upstream is destroyed after its dependents
            up = nodes[(client, UPSTREAM[layer])]
            assert _ts(_step(up, "apply")["started_at"]) >= _ts(_step(node, "apply")["finished_at"])
    for client in CLIENTS:
        for layer in LAYER_NAMES:
            assert [r for r in sandbox.state(client, layer).get("resources", []) if r["mode"] == "managed"] == []


def test_failure_skips_only_dependents_then_resume(sandbox: Sandbox, cli: Runner, monkeypatch: Any) -> None:
    root = ["--root", str(sandbox.root), "-o", "json"]
    monkeypatch.setenv("TF_VAR_fail_on", '["globex/02-platform"]')
    res = cli(*root, "apply", *CLIENTS, "--auto-approve", *LOCK_TIMEOUT)
    assert res.code == 1
    first = _report(sandbox, res.out)
    status = {k: n["status"] for k, n in _nodes(first).items()}
    assert status[("globex", "02-platform")] == "failed"
    assert status[("globex", "05-cluster-services")] == "skipped"
    assert status[("globex", "06-observability")] == "skipped"
    for layer in ("01-foundation", "03-database", "04-standalone-compute"):
        assert status[("globex", layer)] == "succeeded"
    assert all(status[("acme-corp", ly)] == "succeeded" for ly in LAYER_NAMES)
    failed = _nodes(first)[("globex", "02-platform")]
    assert "Failure requested" in (sandbox.root / failed["log"]).read_text()
    assert "plan failed" in failed["error"]

    # resume: fix the failure and change one layer's inputs; only those nodes run again
    monkeypatch.delenv("TF_VAR_fail_on")
    main_tf = sandbox.layer_dir("04-standalone-compute") / "main.tf"
    main_tf.write_text(main_tf.read_text() + "\n# changed\n")
    res = cli(*root, "apply", "--auto-approve", "--resume", first["run_id"], *LOCK_TIMEOUT)
    assert res.code == 0, res.text
    second = _nodes(_report(sandbox, res.out))
    rerun = {k for k, n in second.items() if n["reused_from"] is None}
    assert rerun == {
        ("globex", "02-platform"),
        ("globex", "05-cluster-services"),
        ("globex", "06-observability"),
        ("acme-corp", "04-standalone-compute"),
        ("globex", "04-standalone-compute"),
    }
    assert all(n["reused_from"] == first["run_id"] for k, n in second.items() if k not in rerun)
    assert second[("globex", "06-observability")]["status"] == "succeeded"
    assert second[("acme-corp", "04-standalone-compute")]["status"] == "no-changes"  # a comment changes nothing


def test_held_lock_waits_then_names_the_holder(sandbox: Sandbox, cli: Runner) -> None:
    key = sandbox.state_key("acme-corp", "01-foundation")
    info = {
        "ID": "6f1c2a9e-held",
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "alice@laptop",
        "Version": "1.15.5",
        "Created": "2026-11-27T00:00:00Z",
        "Path": f"{sandbox.bucket}/{key}",
    }
    sandbox.dynamodb().put_item(
        TableName="terraform-locks-us-east",
        Item={"LockID": {"S": f"{sandbox.bucket}/{key}"}, "Info": {"S": json.dumps(info)}},
    )
    started = time.monotonic()
    res = cli("--root", str(sandbox.root), "plan", "acme-corp", "--layer", "01-foundation", "--lock-timeout", "2s")
    assert res.code == 1
    assert time.monotonic() - started >= 2
    assert "state lock held by alice@laptop" in res.err
    assert "OperationTypeApply" in res.err and "6f1c2a9e-held" in res.err
    run_dir = sorted((sandbox.root / ".clientctl" / "runs").iterdir())[-1]
    node = json.loads((run_dir / "report.json").read_text())["nodes"][0]
    assert node["lock"]["who"] == "alice@laptop" and node["status"] == "failed"
    assert node["steps"][-1]["retried_on"] == []  # a lock conflict is waited for, never retried as transient


def test_apply_without_terminal_or_auto_approve_is_refused(sandbox: Sandbox, cli: Runner) -> None:
    res = cli("--root", str(sandbox.root), "apply", "acme-corp")
    assert res.code == 2
    assert "no terminal to ask on" in res.err and "--auto-approve" in res.err
    assert not (sandbox.root / ".clientctl" / "runs").exists()


def test_usage_errors(sandbox: Sandbox, cli: Runner, tmp_path: Path) -> None:
    base = ("--root", str(sandbox.root))
    assert cli(*base, "plan").code == 2
    res = cli(*base, "plan", "acme")
    assert res.code == 2 and "did you mean 'acme-corp'" in res.err
    res = cli(*base, "plan", "--resume", "nope")
    assert res.code == 2 and "no run report" in res.err
    res = cli(*base, "plan", "acme-corp", "--terraform", str(tmp_path / "missing"))
    assert res.code == 2 and "cannot run Terraform" in res.err
    assert "Traceback" not in res.text


def test_dry_runs_change_nothing(sandbox: Sandbox, cli: Runner) -> None:
    root = ("--root", str(sandbox.root))
    one = ("acme-corp", "--layer", "01-foundation")
    assert cli(*root, "apply", *one, "--auto-approve", *LOCK_TIMEOUT).code == 0
    keys = sandbox.state_keys()
    before = sandbox.state("acme-corp", "01-foundation")["serial"]

    res = cli(*root, "destroy", *one, "--dry-run", *LOCK_TIMEOUT)  # no terminal needed: nothing is asked
    assert res.code == 0, res.text
    assert "dry run: destroy for client acme-corp" in res.err and "nothing was destroyed" in res.err
    assert sandbox.state_keys() == keys and sandbox.state("acme-corp", "01-foundation")["serial"] == before

    res = cli(*root, "apply", "globex", "--layer", "01-foundation", "--dry-run", *LOCK_TIMEOUT)
    assert res.code == 0, res.text
    # Planning a new client creates its (empty) workspace, as `terraform workspace new` does; nothing is applied.
    assert sandbox.state("globex", "01-foundation").get("resources", []) == []
    assert cli(*root, "destroy", *one, "--dry-run", "--auto-approve").code == 2
