"""clientctl lock list / release against the sandbox; results read back with plain boto3."""

from __future__ import annotations

import json

import pytest

from clientctl.aws import locks

from .conftest import BUCKET, TABLE, Aws, cli_json, key, make_backend, put_digest, put_lock, put_state


def _lock_item(aws: Aws, client: str, layer: str) -> dict[str, object] | None:
    got = aws.raw("dynamodb").get_item(TableName=TABLE, Key={"LockID": {"S": f"{BUCKET}/{key(client, layer)}"}})
    item: dict[str, object] | None = got.get("Item")
    return item


def _lockfile_exists(aws: Aws, client: str, layer: str) -> bool:
    listed = aws.raw().list_objects_v2(Bucket=BUCKET, Prefix=key(client, layer) + ".tflock")
    return bool(listed.get("Contents"))


def test_lock_list_merges_both_places_and_skips_digests(aws: Aws) -> None:
    make_backend(aws)
    both = put_lock(aws, "acme-corp", "02-platform", minutes_ago=30)
    s3_only = put_lock(
        aws, "globex", "05-cluster-services", who="bob@ci", operation="OperationTypePlan", dynamodb=False
    )
    put_digest(aws, "acme-corp", "01-foundation", "d" * 32)
    code, report = cli_json(aws, "lock", "list", "--output", "json")
    assert code == 0, report
    by_id = {lk["id"]: lk for lk in report["locks"]}
    assert set(by_id) == {both, s3_only}
    assert by_id[both]["sources"] == ["dynamodb", "s3"]
    assert (by_id[both]["client"], by_id[both]["layer"], by_id[both]["who"]) == (
        "acme-corp",
        "02-platform",
        "alice@laptop",
    )
    assert 29 * 60 <= by_id[both]["age_seconds"] <= 31 * 60
    assert by_id[s3_only]["sources"] == ["s3"] and by_id[s3_only]["operation"] == "OperationTypePlan"
    code, out = aws.cli("lock", "list")
    assert code == 0 and "dynamodb+s3" in out and "30 min" in out and "bob@ci" in out


def test_release_removes_both_and_writes_an_audit_event(aws: Aws) -> None:
    make_backend(aws)
    lock_id = put_lock(aws, "acme-corp", "03-database", minutes_ago=45)
    other = put_lock(aws, "globex", "03-database", minutes_ago=45)
    code, out = aws.cli("lock", "release", lock_id, "--reason", "laptop died during apply", input="yes\n")
    assert code == 0, out
    assert _lock_item(aws, "acme-corp", "03-database") is None
    assert not _lockfile_exists(aws, "acme-corp", "03-database")
    assert _lock_item(aws, "globex", "03-database") is not None and _lockfile_exists(aws, "globex", "03-database")
    s3 = aws.raw()
    audit = s3.list_objects_v2(Bucket=BUCKET, Prefix="clientctl/audit/locks/")["Contents"]
    assert len(audit) == 1 and audit[0]["Key"].endswith(f"-{lock_id}.json")
    event = json.loads(s3.get_object(Bucket=BUCKET, Key=audit[0]["Key"])["Body"].read())
    assert event["reason"] == "laptop died during apply" and event["forced"] is False
    assert event["lock"]["id"] == lock_id and event["lock"]["who"] == "alice@laptop"
    assert event["by"]["aws_arn"].startswith("arn:aws:") and "@" in event["by"]["who"]
    assert sorted(event["removed"]) == sorted(
        [
            f"dynamodb://{TABLE}/{BUCKET}/{key('acme-corp', '03-database')}",
            f"s3://{BUCKET}/{key('acme-corp', '03-database')}.tflock",
        ]
    )
    code, shown = cli_json(aws, "lock", "list", "--audit", "--output", "json")
    assert code == 0 and [e["lock"]["id"] for e in shown["events"]] == [lock_id]
    code, out = aws.cli("lock", "list", "--audit")
    assert "laptop died during apply" in out
    # the lock ID typed as confirmation works too
    code, out = aws.cli("lock", "release", other, input=f"{other}\n")
    assert code == 0, out
    assert _lock_item(aws, "globex", "03-database") is None


def test_young_lock_needs_force(aws: Aws) -> None:
    make_backend(aws)
    lock_id = put_lock(aws, "acme-corp", "01-foundation", minutes_ago=3)
    code, out = aws.cli("lock", "release", lock_id, "--yes")
    assert code == 1 and "younger than --min-age 15 min" in out and "--ignore-min-age" in out
    code, out = aws.cli("lock", "release", lock_id, "--yes", "--force")  # the old name is refused, by name
    assert code == 2 and "--force is now --ignore-min-age" in out
    assert _lock_item(aws, "acme-corp", "01-foundation") is not None
    code, out = aws.cli("lock", "release", lock_id, "--yes", "--min-age", "2")
    assert code == 0, out
    lock_id = put_lock(aws, "acme-corp", "01-foundation", minutes_ago=1)
    code, out = aws.cli("lock", "release", lock_id, "--yes", "--ignore-min-age", "--reason", "ci runner killed")
    assert code == 0, out
    assert not _lockfile_exists(aws, "acme-corp", "01-foundation")
    events = [
        json.loads(aws.raw().get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read())
        for o in aws.raw().list_objects_v2(Bucket=BUCKET, Prefix="clientctl/audit/")["Contents"]
    ]
    assert sorted(e["forced"] for e in events) == [False, True]


def test_release_bad_input_changes_nothing(aws: Aws) -> None:
    make_backend(aws)
    lock_id = put_lock(aws, "acme-corp", "02-platform", minutes_ago=60)
    code, out = aws.cli("lock", "release", "0000dead-beef-0000-0000-000000000000", "--yes")
    assert code == 2 and "no lock with ID" in out and lock_id in out
    code, out = aws.cli("lock", "release", lock_id, "--dry-run")
    assert code == 0 and "dry run" in out
    code, out = aws.cli("lock", "release", lock_id, input="no\n")
    assert code == 2 and "did not match" in out
    code, out = aws.cli("lock", "release", lock_id, input="")
    assert code == 2 and "no confirmation was typed" in out and "pass --yes" in out
    assert _lock_item(aws, "acme-corp", "02-platform") is not None and _lockfile_exists(aws, "acme-corp", "02-platform")
    assert "Contents" not in aws.raw().list_objects_v2(Bucket=BUCKET, Prefix="clientctl/audit/")
    assert "Traceback" not in out


def test_release_never_removes_a_lock_taken_after_listing(aws: Aws) -> None:
    make_backend(aws)
    put_lock(aws, "acme-corp", "02-platform", minutes_ago=60)
    s3, ddb = aws.raw(), aws.raw("dynamodb")
    listed = locks.list_locks(s3, ddb, BUCKET, TABLE).locks[0]
    newer = put_lock(aws, "acme-corp", "02-platform", minutes_ago=0)  # the dead run's lock replaced meanwhile
    with pytest.raises(locks.LockChanged):
        locks.release(s3, ddb, listed)
    assert json.loads(_lock_item(aws, "acme-corp", "02-platform")["Info"]["S"])["ID"] == newer  # type: ignore[index]


def test_no_locks(aws: Aws) -> None:
    make_backend(aws)
    put_state(aws, "acme-corp", "01-foundation", serial=1)
    code, out = aws.cli("lock", "list")
    assert code == 0 and "no state locks held" in out
