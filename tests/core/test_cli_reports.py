"""The report commands: the runbook's CIDR report, subnet plans, client list/show, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Runner


def test_cidr_validate_prints_runbook_report(repo: Path, cli: Runner) -> None:
    result = cli("cidr", "validate", cwd=repo)
    assert result.code == 0
    assert "[INFO] Found 3 client VPC CIDRs" in result.out
    assert "[INFO] ✓ Valid CIDR: 10.100.0.0/16 (acme-corp)" in result.out
    assert "[SUCCESS] No duplicate CIDRs found" in result.out
    assert "[SUCCESS] CIDR Registry Validation: PASSED" in result.out


def test_cidr_validate_fails_and_names_both_sides(repo: Path, cli: Runner) -> None:
    path = repo / "clients/initech.yaml"
    path.write_text(path.read_text().replace("vpc_cidr: 10.102.0.0/16", "vpc_cidr: 10.101.0.0/16"))
    result = cli("cidr", "validate", cwd=repo)
    assert result.code == 1
    assert "CIDR Registry Validation: FAILED" in result.out
    assert "client 'globex' VPC" in result.out and "client 'initech' VPC" in result.out
    report = json.loads(cli("--output", "json", "cidr", "validate", cwd=repo).out)
    assert report["ok"] is False
    assert {f["client"] for f in report["sections"]["duplicates"]} == {"globex", "initech"}


def test_cidr_plan_json(repo: Path, cli: Runner) -> None:
    result = cli("--output", "json", "cidr", "plan", "globex", cwd=repo)
    assert result.code == 0
    plan = json.loads(result.out)
    assert len(plan["subnets"]) == 9  # 3 tiers x 3 AZs
    public = [s for s in plan["subnets"] if s["tier"] == "public"]
    assert public[0] == {
        "tier": "public",
        "az": "us-east-2a",
        "slot": 0,
        "cidr": "10.101.192.0/24",
        "usable": 251,
        "name": "globex-production-public-us-east-2a",
    }


def test_unknown_client_suggests(repo: Path, cli: Runner) -> None:
    result = cli("cidr", "plan", "globx", cwd=repo)
    assert result.code == 2 and "did you mean 'globex'" in result.text


def test_client_list_and_show(repo: Path, cli: Runner) -> None:
    listed = json.loads(cli("--output", "json", "client", "list", cwd=repo).out)
    assert [c["name"] for c in listed] == ["acme-corp", "globex", "initech"]
    shown = cli("client", "show", "initech", cwd=repo)
    assert shown.code == 0 and "capacity_type: SPOT" in shown.out and "initech-production-us-east-2" in shown.out


def test_json_errors_are_machine_readable(repo: Path, cli: Runner) -> None:
    (repo / "clients/initech.yaml").write_text("- not a mapping\n")
    result = cli("--output", "json", "validate", cwd=repo)
    assert result.code == 2
    payload = json.loads(result.out)
    assert payload["ok"] is False and payload["exit_code"] == 2
    assert payload["findings"][0]["file"] == "clients/initech.yaml"


def test_runbook_wrappers_call_clientctl() -> None:
    import subprocess

    from tests.conftest import REPO

    # validate-all.sh forwards its arguments; --only registry keeps this test fast (the full run is CI's
    # `clientctl validate` step).
    for script, args, needle in (
        ("validate-cidr.sh", [], "CIDR Registry Validation: PASSED"),
        ("validate-all.sh", ["--only", "registry"], "all checks passed"),
    ):
        proc = subprocess.run([str(REPO / "scripts" / script), *args], capture_output=True, text=True, cwd="/")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert needle in proc.stdout
