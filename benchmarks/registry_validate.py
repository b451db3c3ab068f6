#!/usr/bin/env python3
"""Benchmark: `clientctl validate` on generated registries, and the overlap engine on 100,000 prefixes.

Goals (issue #2): validate of 1,000 clients (/20 VPCs over 10.0.0.0/8) under 2 s wall on the 2-core
machine; 10x more clients cost at most ~12x more time; the overlap engine checks 100,000 prefixes in
under 1 s. 10.0.0.0/8 holds only 4,096 /20s, so the scaling comparison (1,000 vs 10,000 clients) uses
/22 VPCs over the same pool, with the same files and rules otherwise.
Prints its figures; run `.venv/bin/python benchmarks/registry_validate.py`.
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIENTCTL = Path(sys.executable).parent / "clientctl"

PLATFORM = """\
project: bench
parent_zone: bench.example
regions:
  us-east-2:
    short_name: us-east
    availability_zones: [us-east-2a, us-east-2b]
environments: [production]
network:
  vpc_prefix_length: {prefix}
  az_count: 2
  pools:
    - {{name: ten, cidr: 10.0.0.0/8}}
  eks_service_cidr: 172.20.0.0/16
  management_cidrs: [198.51.100.0/24]
  subnet_layout: {{max_azs: 2, eks_newbits: 3, private_newbits: 3, public_newbits: 4}}
tiers:
  standard:
    nat_gateway_per_az: false
    eks: {{instance_types: [t3.medium], min_size: 2, max_size: 5, desired_size: 2, disk_size: 50}}
    database: {{instance_type: r6i.large, data_volume_size: 100, wal_volume_size: 50, backup_volume_size: 200,
               backup_retention_days: 7}}
    compute: {{instance_type: t3.large, root_volume_size: 30, data_volume_size: 100}}
    observability: {{prometheus_replicas: 1, prometheus_storage_gi: 50, prometheus_retention_days: 7,
                    grafana_storage_gi: 20, loki_retention_days: 7}}
"""

CLIENT = """\
name: {name}
client_code: {code}
tier: standard
region: us-east-2
environment: production
network:
  vpc_cidr: {cidr}
  allocated_date: 2026-01-01
vpn:
  enabled: {vpn}
  customer_gateway_ip: 8.8.{a}.{b}
  bgp_asn: 65001
  local_network_cidr: 192.168.{a}.0/24
  tunnel1_inside_cidr: 169.254.{t1}/30
  tunnel2_inside_cidr: 169.254.{t2}/30
metadata:
  full_name: Client {name}
  contact_email: ops@{name}.example
  cost_center: CC-{code}
"""


def make_registry(root: Path, count: int, prefix: int = 20) -> None:
    root.mkdir(parents=True)
    (root / "platform.yaml").write_text(PLATFORM.format(prefix=prefix))
    clients = root / "clients"
    clients.mkdir()
    for i in range(count):
        cidr = ipaddress.IPv4Network((int(ipaddress.IPv4Address("10.0.0.0")) + i * 2 ** (32 - prefix), prefix))
        # Unique tunnel /30s in 169.254.8.0 - 169.254.168.255, skipping AWS-reserved blocks.
        t = 2048 + (i // 10) * 2  # one pair per VPN client (every 10th)
        t1 = f"{t * 4 // 256}.{t * 4 % 256}"
        t2 = f"{(t + 1) * 4 // 256}.{(t + 1) * 4 % 256}"
        (clients / f"c{i:05d}.yaml").write_text(
            CLIENT.format(
                name=f"c{i:05d}",
                code=f"C{i:05d}",
                cidr=cidr,
                vpn="true" if i % 10 == 0 else "false",
                a=i // 250 % 250,
                b=i % 250 + 1,
                t1=t1,
                t2=t2,
            )
        )


def timed(args: list[str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([str(CLIENTCTL), *args], cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(
                f"clientctl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
            )
    return statistics.median(times)


def overlap_engine(n: int) -> tuple[float, int]:
    sys.path.insert(0, str(REPO / "src"))
    from clientctl.ipam.overlap import Prefix, find_overlaps

    rng = random.Random(42)
    prefixes = [Prefix(ipaddress.IPv4Network((0x0A000000 + i * 256, 24)), i) for i in range(n - 3)]
    prefixes.append(Prefix(prefixes[0].network, "dup"))
    prefixes.append(Prefix(prefixes[1].network.supernet(new_prefix=16), "parent"))
    prefixes.append(Prefix(next(prefixes[2].network.subnets(new_prefix=26)), "child"))
    rng.shuffle(prefixes)
    start = time.perf_counter()
    conflicts = find_overlaps(prefixes)
    return time.perf_counter() - start, len(conflicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="scaling run sizes (/22 VPCs)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {CLIENTCTL}")

    def measure(size: int, prefix: int) -> float:
        work = Path(tempfile.mkdtemp(prefix=f"clientctl-bench-{size}-"))
        try:
            make_registry(work / "repo", size, prefix)
            render = timed(["render"], work / "repo", 1)
            validate = timed(["validate"], work / "repo", args.runs)
            print(
                f"{size:>6} clients, /{prefix} VPCs: render {render:6.2f} s, validate {validate:6.2f} s "
                f"(median of {args.runs}, wall, process start included)"
            )
            return validate
        finally:
            shutil.rmtree(work)

    goal = measure(1000, 20)
    print(f"goal: validate of 1,000 clients under 2 s -> {'met' if goal < 2 else 'NOT met'} ({goal:.2f} s)")
    results = {size: measure(size, 22) for size in args.sizes}
    sizes = sorted(results)
    for small, big in itertools.pairwise(sizes):
        ratio = results[big] / results[small]
        print(f"scaling {small} -> {big} clients ({big / small:.0f}x): time x{ratio:.1f} (goal: at most ~12x)")
    seconds, pairs = overlap_engine(100_000)
    print(f"overlap engine: 100,000 prefixes in {seconds:.3f} s, {pairs} conflicting pairs found (goal: under 1 s)")


if __name__ == "__main__":
    main()
