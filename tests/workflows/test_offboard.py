"""`clientctl offboard`: exactly one client's prefixes, states and file go; its CIDR is quarantined; resume
after an interruption; blocked destroy deletes nothing; --dry-run changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from clientctl.errors import ClientctlError
from clientctl.workflows import offboard as offboard_module
from clientctl.workflows.common import Outcome
from tests.workflows.conftest import OBS_BUCKETS, STATE_BUCKET, Env


def _onboard_two(env: Env) -> None:
    env.provision()
    for client in ("acme-corp", "globex"):
        res = env.tf("apply", client, "--sandbox", "--auto-approve")
        assert res.code == 0, res.text
        env.put_observability(client)
    env.put_observability("globex-two")  # a look-alike prefix (client=globex-two/) that must survive


def _others(env: Env) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for kind, bucket in OBS_BUCKETS.items():
        for client in ("acme-corp", "globex-two"):
            found[f"{bucket}/{client}"] = env.versions(bucket, f"{kind}/client={client}/")
    found["states/acme-corp"] = env.versions(STATE_BUCKET, "env:/acme-corp/")
    return found


def test_offboard_removes_exactly_that_client_and_quarantines_its_cidr(fixture_env: Env, tmp_path: Path) -> None:
    env = fixture_env
    _onboard_two(env)
    others = _others(env)
    assert all(others.values())
    res = env.tf("offboard", "globex", "--sandbox")
    assert res.code == 2 and "--confirm globex" in res.text  # no terminal, no --confirm: nothing done
    res = env.tf("offboard", "globex", "--sandbox", "--confirm", "globx")
    assert res.code == 2 and "does not match" in res.text
    cidr = yaml.safe_load((env.root / "clients" / "globex.yaml").read_text())["network"]["vpc_cidr"]

    export = tmp_path / "export"
    res = env.tf("offboard", "globex", "--sandbox", "--confirm", "globex", "--export", str(export))
    assert res.code == 0, res.text
    assert "offboard globex: complete" in res.out
    files = sorted(p.relative_to(export).as_posix() for p in export.rglob("*") if p.is_file())
    manifests = [p for p in files if p.endswith(".clientctl-manifest.json")]
    exported = [p for p in files if p not in manifests]
    assert len(exported) == 8 and all("/client=globex/" in p for p in exported)
    keys = [o["key"] for m in manifests for o in json.loads((export / m).read_text())["objects"]]
    assert len(keys) == 8 and all("/client=globex/" in k for k in keys)
    assert env.step("offboard", "globex", "export")["data"]["objects"] == 8

    for kind, bucket in OBS_BUCKETS.items():
        assert env.versions(bucket, f"{kind}/client=globex/") == set()  # all versions and markers
    assert env.versions(STATE_BUCKET, "env:/globex/") == set()
    assert _others(env) == others  # acme-corp and the look-alike globex-two untouched
    assert not (env.root / "clients" / "globex.yaml").exists()
    ledger = yaml.safe_load((env.root / "cidr-registry.yaml").read_text())
    assert "globex" not in ledger["clients"]
    released = [r for r in ledger["released"] if r["client"] == "globex"]
    today = dt.date.today()
    assert released == [
        {
            "vpc_cidr": cidr,
            "client": "globex",
            "region": "us-east-2",
            "environment": "production",
            "released_date": today.isoformat(),
            "quarantine_until": (today + dt.timedelta(days=90)).isoformat(),
        }
    ]
    res = env.cli("render")
    assert res.code == 0, res.text
    assert yaml.safe_load((env.root / "cidr-registry.yaml").read_text())["released"] == ledger["released"]
    res = env.cli("render", "--check")
    assert res.code == 0, res.text


def test_offboard_resumes_after_an_interruption(fixture_env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env = fixture_env
    _onboard_two(env)
    real = offboard_module.Offboarding.step_states

    def broken(self: offboard_module.Offboarding, step: object) -> Outcome:
        raise ClientctlError("AWS error RequestTimeout: connection lost")

    monkeypatch.setattr(offboard_module.Offboarding, "step_states", broken)
    res = env.tf("offboard", "globex", "--sandbox", "--confirm", "globex")
    assert res.code == 2 and "connection lost" in res.text
    assert env.step("offboard", "globex", "destroy")["status"] == "done"
    assert env.step("offboard", "globex", "prefixes")["status"] == "done"
    assert env.step("offboard", "globex", "states")["status"] == "failed"
    assert (env.root / "clients" / "globex.yaml").is_file()  # nothing after the failed step ran
    assert env.versions(STATE_BUCKET, "env:/globex/")

    monkeypatch.setattr(offboard_module.Offboarding, "step_states", real)
    runs = env.runs()
    res = env.tf("offboard", "globex", "--sandbox", "--confirm", "globex")
    assert res.code == 0, res.text
    assert env.runs() == runs  # destroy was not run again
    assert "(earlier run" in next(line for line in res.out.splitlines() if " destroy " in line)
    assert env.versions(STATE_BUCKET, "env:/globex/") == set()
    assert not (env.root / "clients" / "globex.yaml").exists()


def test_offboard_dry_run_mutates_nothing(fixture_env: Env) -> None:
    env = fixture_env
    _onboard_two(env)
    files = {str(p.relative_to(env.root)): p.read_bytes() for p in env.root.rglob("*") if p.is_file()}
    before = env.all_versions()
    res = env.tf("offboard", "globex", "--sandbox", "--dry-run")
    assert res.code == 0, res.text
    assert "would delete 16 version(s)/marker(s) of 4 prefix(es)" in res.out
    assert "would release" in res.out and "nothing was changed" in res.out
    assert env.all_versions() == before
    assert {str(p.relative_to(env.root)): p.read_bytes() for p in env.root.rglob("*") if p.is_file()} == files


def test_offboard_of_a_never_applied_client_completes(real_env: Env) -> None:
    """Issue 13.5: with no state, destroy is a no-op and offboarding goes on (real layers, stand-ins)."""
    env = real_env
    env.provision()
    env.put_observability("globex")
    assert env.versions(STATE_BUCKET, "env:/globex/") == set()
    res = env.tf("offboard", "globex", "--sandbox", "--confirm", "globex")
    assert res.code == 0, res.text
    destroy = env.step("offboard", "globex", "destroy")
    assert destroy["status"] == "done" and "no layer has a state" in destroy["message"], destroy
    for later in ("prefixes", "states", "cidr", "client", "render"):
        assert env.step("offboard", "globex", later)["status"] in ("done", "skipped"), later
    assert not (env.root / "clients" / "globex.yaml").exists()
    ledger = yaml.safe_load((env.root / "cidr-registry.yaml").read_text())
    assert any(r["client"] == "globex" for r in ledger["released"])
    for kind, bucket in OBS_BUCKETS.items():
        assert env.versions(bucket, f"{kind}/client=globex/") == set()
