"""`clientctl report merge`: a pipeline's per-job run reports read as one local run (issue 11.3)."""

from __future__ import annotations

import json
from pathlib import Path

from clientctl.orchestrator.report import NodeResult, RunReport, Status
from tests.helpers import Runner


def job_report(folder: Path, run_id: str, action: str, nodes: list[tuple[str, str, Status]], finished: str) -> Path:
    """What one CI job leaves: .clientctl/runs/<run-id>/report.json for one client x layer."""
    report = RunReport(
        run_id=run_id,
        action=action,
        who="runner@ci",
        started_at="2026-12-03T10:00:00.000Z",
        finished_at=finished,
        versions={"clientctl": "0.1.0", "terraform": "1.15.5"},
        options={"clients": sorted({c for c, _l, _s in nodes}), "layers": sorted({ly for _c, ly, _s in nodes})},
        nodes=[
            NodeResult(
                c, ly, status, plan={"add": 1, "change": 0, "destroy": 0}, error="boom" if status == "failed" else None
            )
            for c, ly, status in nodes
        ],
    )
    report.exit_code = report.compute_exit_code()
    path = folder / run_id / "report.json"
    report.save(path)
    return path


def test_merge_of_job_reports_gives_one_grid_and_report(tmp_path: Path, cli: Runner) -> None:
    artifacts = tmp_path / "artifacts"
    job_report(
        artifacts / "job1", "r1", "plan", [("acme-corp", "01-foundation", "changes")], "2026-12-03T10:01:00.000Z"
    )
    job_report(
        artifacts / "job2", "r2", "plan", [("acme-corp", "02-platform", "no-changes")], "2026-12-03T10:03:00.000Z"
    )
    job_report(artifacts / "job3", "r3", "plan", [("globex", "01-foundation", "changes")], "2026-12-03T10:02:00.000Z")
    out = tmp_path / "merged.json"
    result = cli("report", "merge", str(artifacts), "--out", str(out), cwd=tmp_path)
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert lines[0].split() == ["client", "01-foundation", "02-platform"]
    assert lines[1].split() == ["acme-corp", "changes", "+1~0-0", "="]
    assert lines[2].split() == ["globex", "changes", "+1~0-0"]
    assert "1 no-changes, 2 changes in 180.0s (merged from 3 run(s))" in result.out
    merged = json.loads(out.read_text())
    assert [(n["client"], n["layer"], n["status"]) for n in merged["nodes"]] == [
        ("acme-corp", "01-foundation", "changes"),
        ("globex", "01-foundation", "changes"),
        ("acme-corp", "02-platform", "no-changes"),
    ]
    assert merged["options"]["merged_from"] == ["r1", "r3", "r2"]  # in the order they finished
    assert merged["duration_s"] == 180.0
    assert merged["exit_code"] == 0 and merged["counts"]["changes"] == 2


def test_a_failed_job_fails_the_merge_and_a_retry_replaces_it(tmp_path: Path, cli: Runner) -> None:
    first = job_report(
        tmp_path / "a", "r1", "apply", [("acme-corp", "01-foundation", "failed")], "2026-12-03T10:01:00Z"
    )
    other = job_report(
        tmp_path / "b", "r2", "apply", [("globex", "01-foundation", "succeeded")], "2026-12-03T10:01:30Z"
    )
    failed = cli("-o", "json", "report", "merge", str(first), str(other), "--out", str(tmp_path / "m.json"))
    assert failed.code == 1
    data = json.loads(failed.out)
    assert data["ok"] is False and data["counts"]["failed"] == 1
    retry = job_report(
        tmp_path / "c", "r3", "apply", [("acme-corp", "01-foundation", "succeeded")], "2026-12-03T10:05:00Z"
    )
    fixed = cli("report", "merge", str(first), str(other), str(retry), "--out", str(tmp_path / "m.json"))
    assert fixed.code == 0, fixed.text
    assert "retried, last result kept: acme-corp/01-foundation" in fixed.err


def test_mixed_actions_and_bad_files_are_refused_with_the_reason(tmp_path: Path, cli: Runner) -> None:
    plan = job_report(tmp_path, "p1", "plan", [("acme-corp", "01-foundation", "changes")], "2026-12-03T10:01:00Z")
    apply = job_report(tmp_path, "a1", "apply", [("acme-corp", "01-foundation", "succeeded")], "2026-12-03T10:02:00Z")
    out = tmp_path / "never.json"
    mixed = cli("report", "merge", str(plan), str(apply), "--out", str(out))
    assert mixed.code == 2 and "different actions" in mixed.err and "apply: a1" in mixed.err
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"schema": "something-else"}')
    bad = cli("report", "merge", str(plan), str(bogus), "--out", str(out))
    assert bad.code == 2 and "bogus.json" in bad.err and "schema" in bad.err
    missing = cli("report", "merge", str(tmp_path / "nope"), "--out", str(out))
    assert missing.code == 2 and "no such file or folder" in missing.err
    assert not out.exists()
    assert "Traceback" not in mixed.text + bad.text + missing.text
