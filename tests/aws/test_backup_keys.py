"""Issue 15.1: object keys that point outside the backup folder, through the CLI against the sandbox.

`s3 destroy --backup DIR` (and offboarding's `--export`, which shares `clientctl.aws.object_files`)
once joined `DIR / bucket / key`, so `../../../x.txt` was written where it pointed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

import pytest

from clientctl.aws import object_files

from .conftest import STATE, Aws, provision

HOSTILE = {
    "../../../x.txt": b"dotdot",
    "/abs/x.txt": b"absolute",
    "a/../../../../x.txt": b"inner dotdot",
    "dir/": b"folder marker",
    "dir/file": b"file in folder",
    "dir": b"file named like the folder",
    "./dot": b"dot",
    "a//b": b"double slash",
    "100%/ok": b"percent",
    "env:/acme/01-foundation/terraform.tfstate": b'{"version": 4}',
}


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("../../../x.txt", "%2e%2e/%2e%2e/%2e%2e/x.txt"),
        ("/abs/x.txt", "%/abs/x.txt"),
        ("a/../b", "a/%2e%2e/b"),
        ("dir/", "dir/%"),
        ("./x", "%2e/x"),
        ("a//b", "a/%/b"),
        ("100%", "100%25"),
        ("env:/acme/state", "env:/acme/state"),
        ("q?<>|*\\", "q%3F%3C%3E%7C%2A%5C"),
    ],
)
def test_every_key_maps_to_a_plain_relative_path(key: str, expected: str) -> None:
    path = object_files.plan_files([key])[key]
    assert str(path) == expected
    assert not path.is_absolute() and not {"", ".", ".."} & set(path.parts)


def test_distinct_keys_get_distinct_paths_and_no_path_is_a_folder_of_another() -> None:
    keys = [*HOSTILE, "%2e%2e", "%", "dir%object", "a" * 600, "a" * 601]
    planned = object_files.plan_files(keys)
    paths = list(planned.values())
    assert len(set(paths)) == len(paths)
    folders = {parent for p in paths for parent in p.parents}
    assert not folders & set(paths)
    assert all(len(part.encode()) <= object_files.MAX_SEGMENT for p in paths for part in p.parts)
    assert planned["dir"] == PurePosixPath("dir%object")


def test_destroy_backup_keeps_every_hostile_key_inside_the_folder(aws: Aws, tmp_path: Path) -> None:
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    for key, body in HOSTILE.items():
        s3.put_object(Bucket=STATE, Key=key, Body=body)
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=STATE)["Contents"]}
    assert stored == set(HOSTILE), "the sandbox must keep the keys as given for this test to mean anything"
    work = tmp_path / "work"
    work.mkdir()
    backup = work / "deep" / "bk"
    before = _tree(tmp_path)
    code, out = aws.cli("s3", "destroy", "--type", "backend-state", "--force", "--backup", str(backup))
    assert code == 0, out
    outside = {p for p in _tree(tmp_path) - before if not p.startswith("work/deep")}
    assert outside == set(), f"written outside the backup folder: {outside}"
    manifest = json.loads((backup / f"{STATE}.clientctl-manifest.json").read_text())
    files = {o["key"]: o["file"] for o in manifest["objects"]}
    assert set(files) == set(HOSTILE)
    for key, body in HOSTILE.items():
        target = (backup / STATE / files[key]).resolve()
        assert target.is_relative_to((backup / STATE).resolve()), key
        assert target.read_bytes() == body, key
    assert (backup / STATE / "env:/acme/01-foundation/terraform.tfstate").read_bytes() == b'{"version": 4}'


def test_backup_refuses_a_symlink_inside_the_folder_and_deletes_nothing(aws: Aws, tmp_path: Path) -> None:
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    s3.put_object(Bucket=STATE, Key="link/evil.txt", Body=b"evil")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    backup = tmp_path / "bk"
    (backup / STATE).mkdir(parents=True)
    os.symlink(elsewhere, backup / STATE / "link")
    code, out = aws.cli("s3", "destroy", "--type", "backend-state", "--force", "--backup", str(backup))
    assert code != 0 and "symbolic link" in out, out
    assert list(elsewhere.iterdir()) == []
    assert s3.get_object(Bucket=STATE, Key="link/evil.txt")["Body"].read() == b"evil"


def test_default_backup_goes_under_dot_clientctl_and_only_when_written(aws: Aws, tmp_path: Path) -> None:
    """Issue 13.6: no `./s3-backups/` in the working tree; an aborted run leaves no empty folder."""
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    s3.put_object(Bucket=STATE, Key="env:/acme/state", Body=b"{}")
    backups = aws.repo / ".clientctl" / "backups"
    code, out = aws.cli("s3", "destroy", "--type", "backend-state")  # no terminal: refused before anything
    assert code == 2
    assert not backups.exists()
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, out = aws.cli("s3", "destroy", "--type", "backend-state", "--force")
    finally:
        os.chdir(cwd)
    assert code == 0, out
    assert not (tmp_path / "s3-backups").exists()
    (stamp,) = backups.iterdir()
    assert (stamp / STATE / "env:/acme/state").read_bytes() == b"{}"
    assert str(stamp) in out
