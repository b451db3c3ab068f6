"""Orchestrator benchmark: N clients x 6 fixture layers, real Terraform, moto S3/DynamoDB.

    .venv/bin/python benchmarks/orchestrator.py [--clients 50] [--parallelism 8] [--sequential-clients 3]

Prints: wall time of `apply --all` at --parallelism; the ideal makespan (critical path x clients /
parallelism, and the work bound: total Terraform time / parallelism); a sequential run (--parallelism 1) on
a few clients extrapolated to N; and the orchestrator's overhead per node (node wall time minus the time
spent inside Terraform).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from clientctl import naming  # noqa: E402
from clientctl.layers import LAYER_NAMES  # noqa: E402
from clientctl.registry import load_registry  # noqa: E402
from clientctl.render.render import render  # noqa: E402

FIXTURE_LAYER = REPO / "tests" / "orchestrator" / "fixtures" / "layer.tf"
CRITICAL_PATH = 4  # 01-foundation -> 02-platform -> 05-cluster-services -> 06-observability


def make_repo(base: Path, clients: int, project: str) -> Path:
    root = base / "repo"
    (root / "clients").mkdir(parents=True)
    text = (REPO / "platform.yaml").read_text().replace("project: ohio-01", f"project: {project}")
    (root / "platform.yaml").write_text(text)
    template = (REPO / "clients" / "globex.yaml").read_text()
    original_cidr = next(line.split(":", 1)[1].strip() for line in template.splitlines() if "vpc_cidr:" in line)
    for i in range(clients):
        name = f"bench-{i:03d}"
        body = template.replace("globex", name).replace(original_cidr, f"10.{64 + i}.0.0/16")
        body = "\n".join(line for line in body.splitlines() if not line.strip().startswith(("client_code", "name:")))
        (root / "clients" / f"{name}.yaml").write_text(f"name: {name}\nclient_code: B{i:03d}\n{body}\n")
    for layer in LAYER_NAMES:
        target = root / naming.layer_dir("us-east-2", layer, "production")
        target.mkdir(parents=True)
        shutil.copy(FIXTURE_LAYER, target / "main.tf")
    render(load_registry(root))
    return root


def run(root: Path, env: dict[str, str], clients: list[str], parallelism: int) -> tuple[float, dict[str, object]]:
    cmd = [str(REPO / ".venv" / "bin" / "clientctl"), "--root", str(root), "-o", "json", "apply", *clients]
    cmd += ["--auto-approve", "--parallelism", str(parallelism)]
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"apply failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout)


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--parallelism", type=int, default=8)
    parser.add_argument("--sequential-clients", type=int, default=3)
    args = parser.parse_args()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    kw = {
        "endpoint_url": url,
        "region_name": "us-east-2",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    project = f"bench-{secrets.token_hex(3)}"
    boto3.client("s3", **kw).create_bucket(
        Bucket=naming.state_bucket(project, "production"), CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    boto3.client("dynamodb", **kw).create_table(
        TableName="terraform-locks-us-east",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-2")
    env.update(
        AWS_ENDPOINT_URL=url, TF_CLI_CONFIG_FILE="/dev/null", CLIENTCTL_TERRAFORM=str(REPO / ".venv/bin/terraform")
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = make_repo(Path(tmp), args.clients, project)
        names = [f"bench-{i:03d}" for i in range(args.clients)]
        seq_names = names[: args.sequential_clients]
        seq_wall, _ = run(root, env, seq_names, 1)
        par_names = names[args.sequential_clients :]
        wall, report = run(root, env, par_names, args.parallelism)
        nodes = report["nodes"]  # type: ignore[index]
        node_wall = [n["duration_s"] for n in nodes]
        tf_time = [sum(s["duration_s"] for s in n["steps"]) for n in nodes]
        overhead = [w - t for w, t in zip(node_wall, tf_time, strict=True)]
        per_node = statistics.mean(node_wall)
        n_par = len(par_names)
        ideal_cp = CRITICAL_PATH * per_node * n_par / args.parallelism
        ideal_work = sum(node_wall) / args.parallelism
        seq_per_client = seq_wall / len(seq_names)
        print(
            f"nodes: {len(nodes)} ({n_par} clients x {len(LAYER_NAMES)} layers), parallelism {args.parallelism}, CPUs {os.cpu_count()}"
        )
        print(f"wall time (apply, parallel): {wall:.1f}s  (run report duration {report['duration_s']:.1f}s)")  # type: ignore[index]
        print(f"mean node time: {per_node:.2f}s (Terraform {statistics.mean(tf_time):.2f}s)")
        print(f"ideal makespan, critical path x clients / parallelism: {ideal_cp:.1f}s -> ratio {wall / ideal_cp:.2f}")
        print(f"ideal makespan, total node time / parallelism: {ideal_work:.1f}s -> ratio {wall / ideal_work:.2f}")
        print(
            f"sequential (parallelism 1, {len(seq_names)} clients): {seq_wall:.1f}s = {seq_per_client:.1f}s/client "
            f"-> {seq_per_client * n_par:.1f}s for {n_par} clients; speed-up {seq_per_client * n_par / wall:.2f}x"
        )
        print(
            f"orchestrator overhead per node (node wall - Terraform time): mean {statistics.mean(overhead) * 1000:.0f} ms, "
            f"max {max(overhead) * 1000:.0f} ms; plus per-run fixed cost (registry, render check, version) "
            f"{wall - report['duration_s']:.1f}s"
        )  # type: ignore[index]
    server.stop()


if __name__ == "__main__":
    main()
