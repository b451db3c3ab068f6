"""modules/postgres-cluster: a replica added after the master's first boot still gets its replication slot.

Runs the real ``clientctl-pg-ensure-slot`` script against a real PostgreSQL (initdb in a scratch folder,
listening on a Unix socket only), as the replica's bootstrap does before ``pg_basebackup -S replica``:
the master starts without the slot (replica not enabled at its first boot), the script creates it, and a
second run (a replaced replica adopting its volumes) changes nothing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "modules/postgres-cluster/templates"
BIN = [Path("/usr/local/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"))]


def _tool(name: str) -> str | None:
    for folder in BIN:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or _tool("initdb") is None or shutil.which("psql") is None or shutil.which("runuser") is None,
    reason="needs root (runuser -u postgres, as on the instances), initdb and psql",
)


def _as_postgres(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], capture_output=True, text=True, check=False)


@pytest.fixture
def master() -> Iterator[tuple[Path, int]]:
    pwd.getpwnam("postgres")
    work = Path(tempfile.mkdtemp(prefix="clientctl-pg-", dir="/tmp"))
    os.chmod(work, 0o755)
    shutil.chown(work, "postgres")
    data = work / "data"
    port = 20000 + os.getpid() % 20000
    init = _as_postgres(str(_tool("initdb")), "-D", str(data), "-A", "trust", "-U", "postgres")
    assert init.returncode == 0, init.stderr
    start = _as_postgres(
        str(_tool("pg_ctl")), "-D", str(data), "-w", "-l", str(work / "log"), "-o",
        f"-c listen_addresses='' -c unix_socket_directories={work} -p {port} -c wal_level=replica",
        "start",
    )  # fmt: skip
    assert start.returncode == 0, start.stderr + (work / "log").read_text()
    psql = _as_postgres("psql", "-X", "-h", str(work), "-p", str(port), "-d", "postgres", "-c",
                        "CREATE ROLE replicator WITH REPLICATION LOGIN")  # fmt: skip
    assert psql.returncode == 0, psql.stderr
    try:
        yield work, port
    finally:
        _as_postgres(str(_tool("pg_ctl")), "-D", str(data), "-m", "immediate", "stop")
        time.sleep(0.2)
        shutil.rmtree(work, ignore_errors=True)


def _slots(work: Path, port: int) -> list[str]:
    out = _as_postgres("psql", "-X", "-At", "-h", str(work), "-p", str(port), "-d", "postgres", "-c",
                       "SELECT slot_name || ':' || slot_type || ':' || (restart_lsn IS NOT NULL) FROM pg_replication_slots")  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def _ensure_slot(work: Path, port: int) -> subprocess.CompletedProcess[str]:
    env_file = work / "postgres.env"
    # The replica's /etc/clientctl/postgres.env (user-data.yaml.tftpl), pointed at the test master.
    env_file.write_text(f"ROLE=replica\nPORT={port}\nMASTER_HOST={work}\nSLOT_NAME=replica\n")
    env = {**os.environ, "CLIENTCTL_PG_ENV": str(env_file)}
    return subprocess.run(
        ["bash", str(TEMPLATES / "pg-ensure-slot.sh")], capture_output=True, text=True, env=env, check=False
    )


def test_replica_creates_its_missing_slot_once(master: tuple[Path, int]) -> None:
    work, port = master
    assert _slots(work, port) == []  # the master booted while the replica was disabled
    first = _ensure_slot(work, port)
    assert first.returncode == 0, first.stderr
    # physical, WAL reserved at once (restart_lsn set) so the base backup's WAL is kept
    assert _slots(work, port) == ["replica:physical:true"]
    again = _ensure_slot(work, port)
    assert again.returncode == 0, again.stderr
    assert _slots(work, port) == ["replica:physical:true"]


def test_bootstrap_ensures_the_slot_before_the_base_backup() -> None:
    script = (TEMPLATES / "pg-bootstrap.sh").read_text()
    replica = script[script.index("  /usr/local/sbin/clientctl-pg-sync-passwords # writes the replication .pgpass") :]
    assert replica.index("clientctl-pg-ensure-slot") < replica.index("pg_basebackup")
    user_data = (REPO / "modules/postgres-cluster/templates/user-data.yaml.tftpl").read_text()
    assert "/usr/local/sbin/clientctl-pg-ensure-slot" in user_data and "ensure_slot_script" in user_data
