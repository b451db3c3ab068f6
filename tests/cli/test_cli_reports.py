"""The report commands: the runbook's CIDR report, subnet plans, client list/show, JSON output."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

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
    assert listed["ok"] is True
    assert [c["name"] for c in listed["clients"]] == ["acme-corp", "globex", "initech"]
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


# --- cidr validate: every summary line agrees with the findings above it --------------------------------

FINDING = re.compile(
    r"^\[(ERROR|WARN)\] (?P<file>clients/[^:]+)\.yaml:\d+: (?P<level>error|warning) \[(?P<rule>[a-z.-]+)\](?: (?P<field>[a-z_.0-9]+):)?"
)
FORMAT_RULES = {"ipam.format", "ipam.cidr-offset", "ipam.vpc-size"}


def check_report(out: str, clients: int) -> dict[str, str]:
    """Parse the text report and assert it never contradicts itself; returns client -> its CIDR line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("[INFO] Found ")) + 1
    cidr_lines = {}
    for line in lines[start : start + clients]:
        owner = re.search(r"\((?P<c>[a-z0-9-]+)[;)]", line)
        assert owner is not None, line
        cidr_lines[owner["c"]] = line
    block: list[re.Match[str]] = []
    all_findings: list[re.Match[str]] = []
    summaries = 0
    for line in lines[start + clients :]:
        if line.startswith("    ") or "CIDR Registry Validation" in line:
            continue
        match = FINDING.match(line)
        if match:
            block.append(match)
            all_findings.append(match)
            continue
        summaries += 1
        has_error = any(m["level"] == "error" for m in block)
        assert line.startswith("[ERROR]") == has_error, (line, [m.group(0) for m in block])
        if not has_error:
            assert line.startswith(("[SUCCESS]", "[WARN]")), line
        block = []
    assert summaries == 6 and not block, out
    for client, line in cidr_lines.items():
        errors = [m for m in all_findings if m["file"] == f"clients/{client}" and m["level"] == "error"]
        format_errors = [m for m in errors if m["rule"] in FORMAT_RULES and m["field"] == "network.vpc_cidr"]
        assert ("Invalid CIDR" in line) == bool(format_errors), line
        vpc_errors = [m for m in errors if m["field"] == "network.vpc_cidr"]
        assert line.startswith("[INFO] ✓ Valid CIDR") == (not vpc_errors), line
    verdict = "FAILED" if any(m["level"] == "error" for m in all_findings) else "PASSED"
    assert f"CIDR Registry Validation: {verdict}" in out
    return cidr_lines


def set_cidr(repo: Path, client: str, cidr: str) -> None:
    path = repo / "clients" / f"{client}.yaml"
    text = path.read_text()
    current = re.search(r"vpc_cidr: (\S+)", text)
    assert current is not None
    path.write_text(text.replace(current.group(0), f"vpc_cidr: {cidr}", 1))


def test_cidr_validate_duplicate_is_not_a_format_error(repo: Path, cli: Runner) -> None:
    set_cidr(repo, "initech", "10.101.0.0/16")  # globex's block
    result = cli("cidr", "validate", cwd=repo)
    assert result.code == 1
    lines = check_report(result.out, 3)
    assert "Invalid CIDR" not in result.out
    assert lines["initech"] == "[ERROR] ✗ Duplicate CIDR: 10.101.0.0/16 (initech; format valid)"
    assert lines["globex"] == "[ERROR] ✗ Duplicate CIDR: 10.101.0.0/16 (globex; format valid)"
    assert lines["acme-corp"] == "[INFO] ✓ Valid CIDR: 10.100.0.0/16 (acme-corp)"
    assert "[SUCCESS] All CIDRs have valid format" in result.out
    assert "[ERROR] ✗ Duplicate CIDRs: 2 error(s) found (globex, initech)" in result.out
    assert "No duplicate CIDRs found" not in result.out
    report = json.loads(cli("--output", "json", "cidr", "validate", cwd=repo).out)
    by_client = {c["client"]: c for c in report["cidrs"]}
    assert by_client["initech"] | {"vpc_cidr": None} == {
        "client": "initech",
        "vpc_cidr": None,
        "valid": False,
        "format_valid": True,
        "problems": ["duplicates"],
    }
    summary = {s["section"]: s for s in report["summary"]}
    assert summary["format"]["ok"] is True and summary["duplicates"]["ok"] is False


def test_cidr_validate_malformed_cidr_is_left_out_of_the_other_checks_and_says_so(repo: Path, cli: Runner) -> None:
    set_cidr(repo, "globex", "10.101.0/16")
    result = cli("cidr", "validate", cwd=repo)
    assert result.code == 1
    lines = check_report(result.out, 3)
    assert lines["globex"] == "[ERROR] ✗ Invalid CIDR: 10.101.0/16 (globex)"
    assert "All CIDRs have valid format" not in result.out
    assert "[ERROR] ✗ CIDR format: 1 error(s) found (globex)" in result.out
    # the comparisons could not include globex: they say so instead of a plain success
    assert "[WARN] No duplicate CIDRs found; not checked: the CIDR of globex (invalid format)" in result.out
    assert "[SUCCESS] No duplicate CIDRs found" not in result.out
    assert "[SUCCESS] VPN tunnels, ASNs and gateway addresses valid" in result.out


def test_cidr_validate_overlap_and_pool(repo: Path, cli: Runner) -> None:
    set_cidr(repo, "globex", "10.100.128.0/17")  # inside acme-corp's /16
    set_cidr(repo, "initech", "10.200.0.0/16")  # outside every pool
    result = cli("cidr", "validate", cwd=repo)
    assert result.code == 1
    lines = check_report(result.out, 3)
    assert lines["globex"].startswith("[ERROR] ✗ Overlapping CIDR: 10.100.128.0/17 (globex; format valid)")
    assert lines["acme-corp"] == "[ERROR] ✗ Overlapping CIDR: 10.100.0.0/16 (acme-corp; format valid)"
    assert "outside the pools" in lines["initech"] and "format valid" in lines["initech"]
    assert "[SUCCESS] All CIDRs have valid format" in result.out
    assert "[SUCCESS] No duplicate CIDRs found" in result.out
    assert "[ERROR] ✗ Cross-client overlaps: 2 error(s) found (acme-corp, globex)" in result.out
    assert "No cross-client overlaps" not in result.out


def test_validate_cidr_wrapper_on_a_duplicate(repo: Path, tmp_path: Path) -> None:
    """The runbook wrapper itself (the issue's report): copied into the scratch repository, it runs there."""
    import os
    import shutil
    import subprocess

    from tests.conftest import REPO

    shutil.copytree(REPO / "scripts", repo / "scripts")
    set_cidr(repo, "initech", "10.101.0.0/16")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(repo / "scripts" / "validate-cidr.sh")], capture_output=True, text=True, cwd="/", env=env, check=False
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    check_report(proc.stdout, 3)
    assert "Invalid CIDR" not in proc.stdout and "[SUCCESS] All CIDRs have valid format" in proc.stdout


def test_check_report_catches_each_contradiction() -> None:
    """The consistency check above, fed planted contradictions (the first is the issue's report)."""
    good = [
        "[INFO] Found 2 client VPC CIDRs",
        "[ERROR] ✗ Duplicate CIDR: 10.101.0.0/16 (globex; format valid)",
        "[INFO] ✓ Valid CIDR: 10.100.0.0/16 (acme-corp)",
        "[SUCCESS] All CIDRs have valid format",
        "[ERROR] clients/globex.yaml:10: error [ipam.duplicate] network.vpc_cidr: same block",
        "[ERROR] ✗ Duplicate CIDRs: 1 error(s) found (globex)",
        *[f"[SUCCESS] section {i}" for i in range(4)],
        "[ERROR] CIDR Registry Validation: FAILED",
    ]
    check_report("\n".join(good), 2)
    planted = {
        "format error claimed for a duplicate": (1, "[ERROR] ✗ Invalid CIDR: 10.101.0.0/16 (globex)"),
        "success after an error finding": (5, "[SUCCESS] No duplicate CIDRs found"),
        "valid line for a CIDR with an error": (1, "[INFO] ✓ Valid CIDR: 10.101.0.0/16 (globex)"),
        "error summary without a finding": (3, "[ERROR] ✗ CIDR format: 1 error(s) found (globex)"),
        "verdict PASSED with errors": (10, "[SUCCESS] CIDR Registry Validation: PASSED"),
    }
    for what, (index, line) in planted.items():
        bad = list(good)
        bad[index] = line
        with pytest.raises(AssertionError):
            check_report("\n".join(bad), 2)
            pytest.fail(f"not caught: {what}")  # pragma: no cover
