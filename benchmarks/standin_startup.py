#!/usr/bin/env python3
"""Benchmark: start-up of a provider stand-in, as Terraform experiences it.

Measures, per run, (a) from process start to the go-plugin handshake line on stdout and (b) to the end of the
first GetProviderSchema answer (read from the schema cache that install() warms), over a unix socket without
TLS (TLS adds one ECDSA key generation, a few ms). Terraform starts each provider several times per command,
so this is paid repeatedly. Prints the median and maximum of N runs.
Run `.venv/bin/python benchmarks/standin_startup.py [--provider aws] [--runs 5]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc

from clientctl.terraform.standin import install
from clientctl.terraform.standin.proto import pb
from clientctl.terraform.standin.server import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE


def one_run(exe: Path) -> tuple[float, float, int]:
    env = dict(os.environ, **{MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE, "PLUGIN_PROTOCOL_VERSIONS": "5,6"})
    env.pop("PLUGIN_CLIENT_CERT", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        t_handshake = time.perf_counter() - t0
        sock = line.split("|")[3]
        with grpc.insecure_channel(f"unix:{sock}") as channel:
            call = channel.unary_unary(
                "/tfplugin6.Provider/GetProviderSchema",
                request_serializer=pb.GetProviderSchema.Request.SerializeToString,
                response_deserializer=lambda b: b,
            )
            blob = call(pb.GetProviderSchema.Request(), timeout=30)
        t_schema = time.perf_counter() - t0
        shutdown = grpc.insecure_channel(f"unix:{sock}").unary_unary(
            "/plugin.GRPCController/Shutdown", request_serializer=lambda b: b, response_deserializer=lambda b: b
        )
        shutdown(b"", timeout=5)
        proc.wait(timeout=5)
        return t_handshake, t_schema, len(blob)
    finally:
        if proc.poll() is None:
            proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", default="aws")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cfg = install(Path(tmp), providers=(args.provider,))
        print(f"install (incl. building the schema cache): {time.perf_counter() - t0:.2f} s")
        results = [one_run(cfg.executables[args.provider]) for _ in range(args.runs)]
    hs = [r[0] for r in results]
    sc = [r[1] for r in results]
    print(f"{args.provider} {cfg.versions[args.provider]}: GetProviderSchema response {results[0][2]:,} bytes")
    print(f"handshake line:          median {statistics.median(hs) * 1000:.0f} ms, max {max(hs) * 1000:.0f} ms")
    print(f"first schema answer:     median {statistics.median(sc) * 1000:.0f} ms, max {max(sc) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
