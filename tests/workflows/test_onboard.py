"""`clientctl onboard` against the sandbox: fixture layers (complete, resume, input change) and the real layers
(applied through the provider stand-ins)."""

from __future__ import annotations

import json

from clientctl import naming
from clientctl.layers import LAYER_NAMES
from tests.workflows.conftest import ENV, REGION, STATE_BUCKET, Env

NEW = ("--sandbox", "--auto-approve", "--contact-email", "ops@hooli.example")


def test_onboard_completes_then_a_second_run_skips_and_an_input_change_reapplies(fixture_env: Env) -> None:
    env = fixture_env
    env.delegate_zone("hooli")
    res = env.tf("onboard", "hooli", *NEW)
    assert res.code == 0, res.text
    assert "onboard hooli: complete" in res.out
    data = json.loads((env.root / ".clientctl" / "onboard" / "hooli.json").read_text())
    status = {s["name"]: s["status"] for s in data["steps"]}
    assert status == {
        "client": "done",
        "render": "done",
        "backend": "done",
        "layers": "done",
        "s3-verify": "done",
        "dns": "done",
        "kubectl": "manual",  # no cluster in the sandbox: the exact command is recorded
        "manual": "manual",
    }
    assert all(s["started_at"] and s["finished_at"] for s in data["steps"])
    assert (env.root / "clients" / "hooli.yaml").is_file()
    layers = env.step("onboard", "hooli", "layers")
    assert len(layers["run_ids"]) == 1
    keys = {k for k, _ in env.versions(STATE_BUCKET, "env:/hooli/") if k.endswith(".tfstate")}
    assert keys == {naming.client_state_key(REGION, ly, ENV, "hooli") for ly in LAYER_NAMES}
    kubectl = env.step("onboard", "hooli", "kubectl")
    assert (
        "aws eks update-kubeconfig --region us-east-2 --name hooli-production-us-east-2 --alias hooli"
        in (kubectl["details"])
    )

    runs = env.runs()
    res = env.tf("onboard", "hooli", "--sandbox", "--auto-approve")
    assert res.code == 0, res.text
    for name in ("client", "render", "backend", "layers", "s3-verify", "dns"):
        assert any(line.split()[2:3] == [name] and "(earlier run" in line for line in res.out.splitlines()), name
    assert env.runs() == runs  # no Terraform run

    res = env.cli("client", "set", "hooli", "eks.desired_size=3")
    assert res.code == 0, res.text
    res = env.tf("onboard", "hooli", "--sandbox", "--auto-approve")
    assert res.code == 0, res.text
    assert len(env.runs()) == len(runs) + 1  # the changed input invalidated the layers step
    assert len(env.step("onboard", "hooli", "layers")["run_ids"]) == 2


def test_onboard_with_real_layers_applies_all_six_through_the_stand_ins(real_env: Env) -> None:
    """Issue 10.5: the real layers plan and apply in the sandbox, one state per client x layer, with the
    provider stand-ins; the steps that would look at real AWS resources say why they are skipped."""
    env = real_env
    res = env.tf("onboard", "hooli", *NEW)
    assert res.code == 0, res.text
    layers = env.step("onboard", "hooli", "layers")
    assert layers["status"] == "done", layers
    assert "6 layer(s) applied" in layers["message"] and "stand-ins" in layers["message"]
    keys = {k for k, _ in env.versions(STATE_BUCKET, "env:/hooli/") if k.endswith(".tfstate")}
    assert keys == {naming.client_state_key(REGION, ly, ENV, "hooli") for ly in LAYER_NAMES}
    dns = env.step("onboard", "hooli", "dns")
    assert dns["status"] == "skipped" and "stand-ins" in dns["message"], dns
    assert env.step("onboard", "hooli", "kubectl")["status"] == "manual"  # the command to run by hand
    assert env.step("onboard", "hooli", "s3-verify")["status"] == "done"
    assert not list(env.root.rglob(".terraform.lock.hcl")) or all(
        ".clientctl" in p.parts for p in env.root.rglob(".terraform.lock.hcl")
    ), "a stand-in lock file landed in the repository"
    # a rerun reuses the applied layers
    runs = env.runs()
    res = env.tf("onboard", "hooli", "--sandbox", "--auto-approve")
    assert res.code == 0 and "(earlier run" in res.out, res.text
    assert env.runs() == runs


def test_onboard_dry_run_mutates_nothing(fixture_env: Env) -> None:
    env = fixture_env
    env.provision()
    before_files = _files(env)
    before = env.all_versions()
    res = env.tf("onboard", "hooli", "--sandbox", "--dry-run", "--contact-email", "ops@hooli.example")
    assert res.code == 0, res.text
    assert "would create clients/hooli.yaml" in res.out
    res = env.tf("onboard", "acme-corp", "--sandbox", "--dry-run")
    assert res.code == 0, res.text
    assert "would plan and apply 6 layer(s)" in res.out
    after = _files(env)
    assert set(after) - set(before_files) <= {".clientctl/locks/registry.lock"}  # an empty lock file
    assert {k: v for k, v in after.items() if k in before_files} == before_files
    assert env.all_versions() == before


def _files(env: Env) -> dict[str, bytes]:
    return {str(p.relative_to(env.root)): p.read_bytes() for p in sorted(env.root.rglob("*")) if p.is_file()}
