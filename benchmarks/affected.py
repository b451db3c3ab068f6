#!/usr/bin/env python3
"""Benchmark: `clientctl affected` on a generated registry of 1,000 and 10,000 clients (issue 11).

A git repository holds the shipped platform.yaml, layer roots and modules, and N copies of the sample client
acme-corp (names c00000..., one /20 each). Two changes are measured, each against the commit before it:
one client's eks.desired_size, and one line in modules/tagging. Goals: each under 2 s for 1,000 clients;
10x the clients costs at most 12x the time. Beside each figure: how many nodes clientctl selects, and how
many the naive selection (every client of every changed folder, as folder-based tools do) would.
Times are the median of --runs in-process calls of clientctl.changes.affected (git included, Python start-up
excluded). Run `.venv/bin/python benchmarks/affected.py`.
"""

from __future__ import annotations

import argparse
import ipaddress
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from clientctl.changes import affected  # noqa: E402
from clientctl.layers import LAYER_NAMES  # noqa: E402


def git(root: Path, *args: str) -> None:
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"git {args[0]} failed: {proc.stderr.strip()}")


def make_repo(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    shutil.copy(REPO / "platform.yaml", root / "platform.yaml")
    ignore = shutil.ignore_patterns(".terraform", "clients.auto.tfvars.json", "*.tfstate*")
    for name in ("providers", "modules"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    template = (REPO / "clients" / "acme-corp.yaml").read_text(encoding="utf-8")
    (root / "clients").mkdir()
    for i in range(count):
        # /20s of 10.0.0.0/8 (4,096 of them, reused above that: affected loads and renders, it does not run the
        # overlap rules, which benchmarks/registry_validate.py measures).
        cidr = ipaddress.IPv4Network((int(ipaddress.IPv4Address("10.0.0.0")) + i % 4096 * 2**12, 20))
        text = template.replace("name: acme-corp", f"name: c{i:05d}").replace("10.100.0.0/16", str(cidr))
        text = text.replace("client_code: ACME", f"client_code: C{i:05d}")
        (root / "clients" / f"c{i:05d}.yaml").write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "gc.auto", "0")  # packed once, in the foreground, by main()
    git(root, "-c", "user.email=b@example.com", "-c", "user.name=bench", "add", "-A")
    git(root, "-c", "user.email=b@example.com", "-c", "user.name=bench", "commit", "-q", "-m", "registry")


def change(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(root, "-c", "user.email=b@example.com", "-c", "user.name=bench", "commit", "-q", "-am", path)


def median(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; median of {args.runs} runs; git included, interpreter start excluded")
    print(f"{'clients':>8}  {'change':<28} {'seconds':>8}  {'selected':>8}  {'naive':>8}")
    figures: dict[tuple[int, str], float] = {}
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"clientctl-affected-{size}-"))
        try:
            root = work / "repo"
            make_repo(root, size)
            cases = [
                ("one client (eks.desired_size)", "clients/c00007.yaml", "desired_size: 2", "desired_size: 4"),
                ("one module (modules/tagging)", "modules/tagging/main.tf", "locals {", "locals {\n  bench = 1"),
            ]
            for label, path, old, new in cases:
                change(root, path, old, new)
                git(root, "gc", "-q")  # a clone's objects are packed; loose ones would measure the disk
                result = affected(root, base="HEAD~1", head="HEAD")
                seconds = median(lambda r=root: affected(r, base="HEAD~1", head="HEAD"), args.runs)
                # Folder-based selection: a client file or module change replans every client of every layer
                # folder whose inputs or code changed, i.e. every rendered layer for a client file (all six
                # clients.auto.tfvars.json change) and every calling layer for the module (all six).
                naive = size * len(LAYER_NAMES)
                figures[(size, label)] = seconds
                print(f"{size:>8}  {label:<28} {seconds:>8.3f}  {len(result.nodes):>8}  {naive:>8}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if len(args.sizes) >= 2:
        small, large = args.sizes[0], args.sizes[-1]
        for label in sorted({label for _s, label in figures}):
            ratio = figures[(large, label)] / figures[(small, label)]
            print(f"scaling {small} -> {large} clients, {label}: {ratio:.1f}x time for {large / small:.0f}x clients")


if __name__ == "__main__":
    main()
