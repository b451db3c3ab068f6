#!/usr/bin/env python3
"""Benchmark: how fast the CLI starts (issue 12). Three calls, each as a ratio to `python -c "import click"`
measured on the same machine in the same run:

* `clientctl --help`                      (goal: under 2x)
* `clientctl validate --only registry`    on the repository's sample registry
* completing `clientctl s<TAB>`           (click's bash protocol, as the shell calls it)

Each figure is the median wall time of --runs fresh processes (Python start-up included: that is what a
shell, a completion or a pre-commit hook pays). Run `.venv/bin/python benchmarks/cli_startup.py`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIENTCTL = [sys.executable, "-c", "from clientctl.cli import main; main()"]


def median_seconds(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[:300]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="processes per figure (median)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    completion = {**env, "_CLIENTCTL_COMPLETE": "bash_complete", "COMP_WORDS": "clientctl s", "COMP_CWORD": "1"}
    base = median_seconds([sys.executable, "-c", "import click"], args.runs, env)
    rows = [
        ("clientctl --help", median_seconds([*CLIENTCTL, "--help"], args.runs, env), 2.0),
        ("clientctl validate --only registry", median_seconds([*CLIENTCTL, "validate", "--only", "registry"], args.runs, env), None),
        ("clientctl s<TAB> (bash completion)", median_seconds(CLIENTCTL, args.runs, completion), None),
    ]  # fmt: skip
    print(f"python -c 'import click': {base * 1000:.0f} ms (median of {args.runs}; Python {sys.version.split()[0]})")
    for name, seconds, goal in rows:
        verdict = "" if goal is None else (f"  goal < {goal:.0f}x: " + ("met" if seconds / base < goal else "NOT met"))
        print(f"{name:<38} {seconds * 1000:6.0f} ms  {seconds / base:4.1f}x{verdict}")


if __name__ == "__main__":
    main()
