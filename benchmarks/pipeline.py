#!/usr/bin/env python3
"""Benchmark: `clientctl.pipelines.generate()` for 1,000 and 10,000 clients x 6 layers, every kind.

Goals (issue 11): each kind under 2 s for 1,000 clients; 10x the clients cost at most 12x the time.
The registry is built in memory (clients and regions only: the generators read nothing else), as a
`clientctl pipeline KIND --all` would pass it. Above 256 jobs GitHub and GitLab get the matrix form (the
default); `--per-job` also times the one-job-per-node form. Prints its figures; run
`.venv/bin/python benchmarks/pipeline.py`.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from clientctl.layers import LAYER_NAMES
from clientctl.orchestrator.graph import Node
from clientctl.pipelines import KINDS, Options, build

REGIONS = ("us-east-2", "us-west-2", "eu-west-1")


def registry(count: int) -> tuple[list[Node], dict[str, str]]:
    clients = [f"c{i:05d}" for i in range(count)]
    return [Node(c, layer) for c in clients for layer in LAYER_NAMES], {
        c: REGIONS[i % 3] for i, c in enumerate(clients)
    }


def timed(kind: str, nodes: list[Node], options: Options, runs: int) -> tuple[float, int, int]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pipeline = build(kind, nodes, options)
        text = pipeline.text()
        times.append(time.perf_counter() - start)
    return statistics.median(times), pipeline.jobs, len(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-job", action="store_true", help="also time the one-job-per-node form")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; median of {args.runs} runs (build + YAML text), in process")
    forms: list[tuple[str, bool | None]] = [("default", None)] + ([("per-job", False)] if args.per_job else [])
    for kind, (form, matrix) in itertools.product(KINDS, forms):
        if kind == "argo" and form == "per-job":
            continue  # argo has one form
        results = {}
        for size in args.sizes:
            nodes, regions = registry(size)
            seconds, jobs, chars = timed(kind, nodes, Options(regions=regions, matrix=matrix), args.runs)
            results[size] = seconds
            print(f"{kind:>14} {form:>8} {size:>6} clients: {seconds:6.2f} s, {jobs:>6} jobs, {chars / 1e6:6.1f} MB")
        if 1000 in results:
            print(f"{'':>24}goal: 1,000 clients under 2 s -> {'met' if results[1000] < 2 else 'NOT met'}")
        for small, big in itertools.pairwise(sorted(results)):
            ratio = results[big] / results[small]
            verdict = "met" if ratio <= 12 * big / small / 10 else "NOT met"
            print(f"{'':>24}scaling {small} -> {big} ({big / small:.0f}x): time x{ratio:.1f} (goal <= 12x: {verdict})")


if __name__ == "__main__":
    main()
