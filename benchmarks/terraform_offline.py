#!/usr/bin/env python3
"""Benchmark: Terraform with the provider stand-ins (issue 10's performance goals).

On a scratch copy of the repository, measures and prints:

1. ``clientctl iac check --only validate`` (terraform init + validate of every layer root and module):
   cold (no copy, no ``.terraform``) and warm (a second run, nothing changed);
2. ``clientctl iac check --only test`` (the .tftest.hcl suites), warm;
3. against a fresh sandbox: ``apply --all`` of the sample clients x 6 real layers, then ``plan --all``
   (everything applied: no changes), each with the orchestrator's default parallelism.

Run: ``.venv/bin/python benchmarks/terraform_offline.py``. The stand-in start-up is measured by
``benchmarks/standin_startup.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIENTCTL = Path(sys.executable).parent / "clientctl"


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run([str(CLIENTCTL), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, proc.returncode, proc.stdout + proc.stderr


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env["CLIENTCTL_TERRAFORM"] = str(Path(sys.executable).parent / "terraform")
    with tempfile.TemporaryDirectory(prefix="clientctl-bench-tf-") as tmp:
        work = Path(tmp)
        for name in ("platform.yaml", "cidr-registry.yaml"):
            shutil.copy(REPO / name, work / name)
        for name in ("clients", "providers", "modules"):
            shutil.copytree(REPO / name, work / name)
        rows: list[tuple[str, float, int]] = []
        for label in ("validate, cold", "validate, warm"):
            seconds, code, _out = timed(["iac", "check", "--only", "validate"], work, env)
            rows.append((label, seconds, code))
        seconds, code, _out = timed(["iac", "check", "--only", "test"], work, env)
        rows.append(("terraform test suites, warm", seconds, code))
        timed(["sandbox", "start"], work, env)
        try:
            timed(["backend", "provision", "--sandbox", "--force"], work, env)
            clients = len(list((work / "clients").glob("*.yaml")))
            for action in ("apply", "plan"):
                args = [action, "--all", "--sandbox"] + (["--auto-approve"] if action == "apply" else [])
                seconds, code, _out = timed(args, work, env)
                reports = sorted((work / ".clientctl" / "runs").glob(f"*-{action}-*/report.json"))
                counts = json.loads(reports[-1].read_text())["counts"] if reports else {}
                rows.append((f"{action} --all: {clients} clients x 6 layers {counts}", seconds, code))
        finally:
            timed(["sandbox", "stop"], work, env)
    print(f"{'measurement':72} {'seconds':>8} {'exit':>5}")
    for label, seconds, code in rows:
        print(f"{label:72} {seconds:8.1f} {code:5d}")
    print(f"(machine: {os.cpu_count()} CPUs; Terraform from {env['CLIENTCTL_TERRAFORM']})")
    return 0 if all(code == 0 for _, _, code in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
