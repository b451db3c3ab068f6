"""clientctl state versions / restore against the sandbox's versioned state bucket."""

from __future__ import annotations

import hashlib

from .conftest import BUCKET, TABLE, Aws, cli_json, key, make_backend, put_digest, put_lock, put_state

KEY = key("acme-corp", "03-database")


def _history(aws: Aws) -> list[str]:
    """Three versions of acme-corp's 03-database state (serials 1, 2, 3); returns version ids oldest first."""
    make_backend(aws)
    return [put_state(aws, "acme-corp", "03-database", serial=s, resources=s) for s in (1, 2, 3)]


def test_versions_lists_newest_first_with_serials(aws: Aws) -> None:
    ids = _history(aws)
    put_lock(aws, "acme-corp", "03-database")  # the .tflock key shares the prefix; it is not a version
    code, report = cli_json(aws, "state", "versions", "acme-corp", "--layer", "03", "--output", "json")
    assert code == 0, report
    raw = aws.raw().list_object_versions(Bucket=BUCKET, Prefix=KEY)["Versions"]
    raw_ids = {v["VersionId"]: v for v in raw if v["Key"] == KEY}
    assert [v["version_id"] for v in report["versions"]] == list(reversed(ids))
    assert set(raw_ids) == set(ids)
    assert [v["serial"] for v in report["versions"]] == [3, 2, 1]
    assert [v["is_latest"] for v in report["versions"]] == [True, False, False]
    for v in report["versions"]:
        assert v["size"] == raw_ids[v["version_id"]]["Size"] and v["terraform_version"] == "1.10.5"
    code, out = aws.cli("state", "versions", "acme-corp", "--layer", "database", "--limit", "2")
    assert code == 0 and ids[2] in out and ids[1] in out and ids[0] not in out and "current" in out


def test_restore_copies_the_version_and_keeps_the_current_one(aws: Aws) -> None:
    ids = _history(aws)
    put_digest(aws, "acme-corp", "03-database", "0" * 32)
    s3 = aws.raw()
    before = s3.get_object(Bucket=BUCKET, Key=KEY, VersionId=ids[0])["Body"].read()

    code, plan = cli_json(
        aws,
        "state",
        "restore",
        "acme-corp",
        "--layer",
        "03-database",
        "--version-id",
        ids[0],
        "--dry-run",
        "--output",
        "json",
    )
    assert code == 0 and plan["dry_run"] is True and plan["changed"] is False
    assert plan["current_version"]["version_id"] == ids[2]
    assert s3.head_object(Bucket=BUCKET, Key=KEY)["VersionId"] == ids[2]

    code, out = aws.cli("state", "restore", "acme-corp", "--layer", "03", "--version-id", ids[0], input="yes\n")
    assert code == 0, out
    assert f"previous current version kept as noncurrent: {ids[2]}" in out
    current = s3.get_object(Bucket=BUCKET, Key=KEY)
    assert current["Body"].read() == before and current["VersionId"] not in ids
    assert current["ServerSideEncryption"] == "AES256"
    versions = [v for v in s3.list_object_versions(Bucket=BUCKET, Prefix=KEY)["Versions"] if v["Key"] == KEY]
    assert {v["VersionId"] for v in versions} == {*ids, current["VersionId"]}
    digest = aws.raw("dynamodb").get_item(TableName=TABLE, Key={"LockID": {"S": f"{BUCKET}/{KEY}-md5"}})["Item"]
    assert digest["Digest"]["S"] == hashlib.md5(before, usedforsecurity=False).hexdigest()
    # our own lock was taken and released again
    assert "Item" not in aws.raw("dynamodb").get_item(TableName=TABLE, Key={"LockID": {"S": f"{BUCKET}/{KEY}"}})
    assert not [o for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=KEY + ".tflock").get("Contents", [])]


def test_restore_refuses_while_locked_and_on_bad_input(aws: Aws) -> None:
    ids = _history(aws)
    code, out = aws.cli("state", "restore", "acme-corp", "--layer", "03", "--version-id", ids[0], input="nope\n")
    assert code == 2 and "did not match" in out
    put_lock(aws, "acme-corp", "03-database", who="carol@ci", minutes_ago=2)
    code, out = aws.cli("state", "restore", "acme-corp", "--layer", "03", "--version-id", ids[0], "--yes")
    assert code == 1 and "locked by carol@ci" in out and "clientctl lock release" in out
    code, out = aws.cli("state", "restore", "acme-corp", "--layer", "03", "--version-id", "no-such-version", "--yes")
    assert code == 2 and "version 'no-such-version' does not exist" in out and ids[2] in out
    code, out = aws.cli("state", "restore", "acme-corp", "--layer", "databse", "--version-id", ids[0], "--yes")
    assert code == 2 and "unknown layer 'databse'" in out
    code, out = aws.cli("state", "versions", "acmecorp", "--layer", "03")
    assert code == 2 and "did you mean 'acme-corp'" in out
    assert aws.raw().head_object(Bucket=BUCKET, Key=KEY)["VersionId"] == ids[2]
    assert "Traceback" not in out


def test_restore_of_the_current_version_is_a_no_op(aws: Aws) -> None:
    ids = _history(aws)
    code, out = aws.cli("state", "restore", "acme-corp", "--layer", "03", "--version-id", ids[2], "--yes")
    assert code == 0 and "already the current state" in out
    assert aws.raw().head_object(Bucket=BUCKET, Key=KEY)["VersionId"] == ids[2]
