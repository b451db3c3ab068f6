"""AWS operations benchmark against a fresh sandbox (prints its figures; docs/benchmarks.md records them).

1. destroy a bucket with N versions + delete markers: DeleteObjects calls vs the minimum, wall time; and
   `aws s3 rm --recursive` (AWS CLI, current versions only, one DeleteObject per key) on the same server.
2. s3 verify of 50 buckets: API calls per bucket and wall time.
Usage: .venv/bin/python benchmarks/bench_aws.py [--versions 20000] [--buckets 50]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from clientctl import sandbox
from clientctl.aws import s3_audit, s3_destroy
from clientctl.aws.session import AwsTarget, CallRecorder


def fill(s3: object, bucket: str, versions: int, markers: int) -> None:
    keys = versions // 4  # 4 versions per key

    def put(i: int) -> None:
        s3.put_object(Bucket=bucket, Key=f"logs/client=acme/{i % keys:06d}.json", Body=b"x")  # type: ignore[attr-defined]

    def mark(i: int) -> None:
        s3.delete_object(Bucket=bucket, Key=f"logs/client=acme/{i:06d}.json")  # type: ignore[attr-defined]

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(put, range(versions)))
        list(pool.map(mark, range(markers)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=19_000)
    parser.add_argument("--markers", type=int, default=1_000)
    parser.add_argument("--buckets", type=int, default=50)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="clientctl-bench-"))
    state = sandbox.start(root)
    try:
        target = AwsTarget(
            endpoint_url=state.endpoint,
            region="us-east-1",
            ca_bundle=state.ca_bundle,
            static_credentials=("testing", "testing"),
            max_pool_connections=64,
        )
        s3 = target.client("s3")
        s3.create_bucket(Bucket="bench-versioned")
        s3.put_bucket_versioning(Bucket="bench-versioned", VersioningConfiguration={"Status": "Enabled"})
        t0 = time.perf_counter()
        fill(s3, "bench-versioned", args.versions, args.markers)
        total = args.versions + args.markers
        print(f"setup: {total} versions+markers in {time.perf_counter() - t0:.1f}s")
        recorder = CallRecorder()
        counted = AwsTarget(
            endpoint_url=state.endpoint,
            region="us-east-1",
            ca_bundle=state.ca_bundle,
            static_credentials=("testing", "testing"),
            recorder=recorder,
            max_pool_connections=64,
        )
        stats = s3_destroy.destroy(counted.client("s3"), "bench-versioned", workers=8)
        minimum = math.ceil(total / 1000)
        calls = recorder.count("DeleteObjects")
        print(
            f"clientctl s3 destroy: {total} versions+markers, {calls} DeleteObjects (minimum {minimum}, "
            f"+{(calls - minimum) / minimum:.1%}), {stats.seconds:.2f}s, {total / stats.seconds:.0f} obj/s, "
            f"bucket deleted={stats.bucket_deleted}, total API calls {len(recorder.calls)}"
        )
        if shutil.which("aws"):
            s3.create_bucket(Bucket="bench-cli")
            s3.put_bucket_versioning(Bucket="bench-cli", VersioningConfiguration={"Status": "Enabled"})
            fill(s3, "bench-cli", args.versions, args.markers)
            env = {**os.environ, **sandbox.env_exports(state)}
            t0 = time.perf_counter()
            subprocess.run(
                ["aws", "s3", "rm", "s3://bench-cli", "--recursive", "--only-show-errors"], env=env, check=True
            )
            seconds = time.perf_counter() - t0
            left = sum(len(p) for p in s3_destroy.iter_versions(s3, "bench-cli"))
            print(
                f"aws s3 rm --recursive: {seconds:.2f}s on the same bucket shape; afterwards {left} "
                f"versions+markers remain (it only adds delete markers); bucket not deletable"
            )
        names = [f"bench-audit-{i:03d}" for i in range(args.buckets)]
        for name in names:
            s3.create_bucket(Bucket=name)
        recorder = CallRecorder()
        counted = AwsTarget(
            endpoint_url=state.endpoint,
            region="us-east-1",
            ca_bundle=state.ca_bundle,
            static_credentials=("testing", "testing"),
            recorder=recorder,
            max_pool_connections=64,
        )
        t0 = time.perf_counter()
        findings = s3_audit.run_audit(
            counted.client("s3"),
            counted.client("s3control"),
            counted.client("dynamodb"),
            "123456789012",
            [(n, None) for n in names],
            None,
            workers=16,
        )
        seconds = time.perf_counter() - t0
        print(
            f"s3 verify: {args.buckets} buckets, {len(findings)} findings, {len(recorder.calls)} API calls "
            f"({len(recorder.calls) / args.buckets:.1f} per bucket), {seconds:.2f}s"
        )
    finally:
        sandbox.stop(root)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
