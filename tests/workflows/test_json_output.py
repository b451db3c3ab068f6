"""Every command's ``-o json`` is one JSON object on stdout whose ``ok`` agrees with the exit code (README
"JSON output"), usage errors included. Runs every leaf of the click tree once, against the sandbox and
the provider-free fixture layers (tests/workflows/conftest.py), through the real entry point."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from clientctl import naming
from clientctl.layers import LAYER_NAMES
from tests.helpers import Result, leaf_commands

from .conftest import ENV, OBS_BUCKETS, REGION, STATE_BUCKET, Env

TABLE = naming.lock_table("us-east")


def put_old_lock(env: Env, client: str, layer: str) -> str:
    """A lock as Terraform writes it (lock-table item), an hour old."""
    lock_id = str(uuid.uuid4())
    path = f"{STATE_BUCKET}/{naming.client_state_key(REGION, layer, ENV, client)}"
    created = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    info = {
        "ID": lock_id,
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "alice@laptop",
        "Version": "1.15.5",
        "Created": created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "Path": path,
    }
    env.raw("dynamodb").put_item(TableName=TABLE, Item={"LockID": {"S": path}, "Info": {"S": json.dumps(info)}})
    return lock_id


class Walk:
    def __init__(self, env: Env) -> None:
        self.env = env
        self.seen: set[tuple[str, ...]] = set()

    def __call__(self, *args: str, root: Path | None = None) -> dict[str, Any]:
        """Run ``clientctl -o json ARGS`` (the command path is the leading words up to the first option)."""
        path = self.path(args)
        self.seen.add(path)
        res: Result = self.env.run("--root", str(root or self.env.root), "-o", "json", *args)
        try:
            data = json.loads(res.out)
        except ValueError:
            raise AssertionError(f"{' '.join(args)}: stdout is not one JSON document:\n{res.text}") from None
        assert isinstance(data, dict), (args, data)
        assert isinstance(data.get("ok"), bool), (args, res.out)
        assert next(iter(data)) == "ok", (args, list(data))
        assert data["ok"] == (res.code == 0), (args, res.code, res.text)
        assert "Traceback" not in res.text
        return data

    @staticmethod
    def path(args: tuple[str, ...]) -> tuple[str, ...]:
        leaves = set(leaf_commands())
        for n in range(1, 4):
            if tuple(args[:n]) in leaves:
                return tuple(args[:n])
        raise AssertionError(f"no command in {args}")


def test_every_command_prints_one_object_with_ok(fixture_env: Env, tmp_path: Path) -> None:
    env = fixture_env
    run = Walk(env)
    sb = "--sandbox"
    tf = ("--parallelism", "1", "--lock-timeout", "20s")

    # offline commands
    run("validate", "--only", "registry")
    run("render", "--check")
    layer_dir = env.root / naming.layer_dir(REGION, LAYER_NAMES[0], ENV)
    run("iac", "check", "--only", "fmt", "--path", str(layer_dir / "main.tf"))
    run("iac", "isolation", "--path", str(layer_dir))
    run("graph", "--layers")
    assert "_CLIENTCTL_COMPLETE" in run("completion", "bash")["script"]
    assert run("graph", "--layers", "-o", str(tmp_path / "g.svg"))["path"] == str(tmp_path / "g.svg")
    run("cidr", "validate")
    run("cidr", "allocate")
    run("cidr", "plan", "acme-corp")
    run("cidr", "map", "-o", str(tmp_path / "map.svg"))
    run("cidr", "move", "acme-corp", "10.110.0.0/16", "--dry-run")
    run("pipeline", "gitlab-ci", "acme-corp", "--layer", "01")
    run("affected", "--base", "HEAD")  # the fixture is no git repository: an error, as one JSON object
    run("cost", "estimate", "acme-corp")
    added = run("client", "add", "hooli", "--contact-email", "ops@hooli.example")
    assert added["client"] == "hooli"
    run("client", "set", "hooli", "eks.desired_size=3")
    listed = run("client", "list")
    assert "hooli" in [c["name"] for c in listed["clients"]]
    assert run("client", "show", "hooli")["client"]["eks"]["desired_size"] == 3
    run("sandbox", "status")
    assert "AWS_ENDPOINT_URL" in run("sandbox", "env")["env"]
    other = tmp_path / "own-sandbox"
    other.mkdir()
    run("sandbox", "start", root=other)
    assert run("sandbox", "stop", root=other)["stopped"] is True

    # AWS (the sandbox) and Terraform (fixture layers)
    run("backend", "provision", sb, "--force")
    run("s3", "verify", sb)
    run("s3", "destroy", sb, "--type", "traces", "--dry-run")
    run("s3", "emergency-cleanup", sb, "--bucket", OBS_BUCKETS["traces"], "--dry-run")
    planned = run("plan", "acme-corp", "--layer", "1", sb, *tf)
    assert {n["layer"] for n in planned["nodes"]} == {"01-foundation"}
    merged = run("report", "merge", str(env.root / ".clientctl" / "runs"), "--out", str(tmp_path / "merged.json"))
    assert merged["options"]["merged_from"] == [planned["run_id"]]
    run("apply", "acme-corp", "--layer", "foundation", sb, "--auto-approve", *tf)
    run("drift", "acme-corp", "--layer", "01", sb, *tf)
    run("status", "acme-corp", "--layer", "1", sb)
    versions = run("state", "versions", "acme-corp", "--layer", "1", sb)["versions"]
    current = versions[0]["version_id"]
    run("state", "restore", "acme-corp", "--layer", "1", "--version-id", current, sb, "--dry-run")
    lock_id = put_old_lock(env, "globex", "03-database")
    assert [lk["id"] for lk in run("lock", "list", sb)["locks"]] == [lock_id]
    run("lock", "release", lock_id, sb, "--yes", "--reason", "test")
    run("destroy", "acme-corp", "--layer", "01-foundation", sb, "--auto-approve", *tf)
    run("dns", "setup-parent", sb, "--dry-run")
    run("dns", "verify", "acme-corp", sb)  # no zone: ok false, exit 1
    run("dns", "record", "list", "acme-corp", sb)  # no zone: ok false, exit 1
    run("dns", "record", "add", "acme-corp", "www", "A", "192.0.2.10", sb, "--dry-run")
    run("dns", "record", "delete", "acme-corp", "www", "A", "192.0.2.10", sb, "--dry-run")
    run("db", "snapshot", "acme-corp", sb, "--dry-run")  # no volumes: ok false, exit 1
    run("cost", "report", "--month", "2026-01", sb)
    run("onboard", "initech", sb, "--dry-run")
    run("offboard", "hooli", sb, "--dry-run")

    # errors: a usage error from click, and one from clientctl
    bad = run("plan", "acme-corp", "--layer", "99")
    assert bad["exit_code"] == 2 and all(name in bad["error"] for name in LAYER_NAMES)
    assert run("client", "show", "nobody")["exit_code"] == 2

    assert run.seen == set(leaf_commands()), set(leaf_commands()) - run.seen
