"""clientctl db snapshot against the sandbox's EC2; snapshots read back with plain boto3."""

from __future__ import annotations

from typing import Any

from clientctl.aws import db_snapshot
from clientctl.aws.session import CallRecorder

from .conftest import Aws, cli_json

POLICY = "acme-corp-production-postgres"


def _volume(ec2: Any, name: str, policy: str | None) -> str:
    tags = [{"Key": "Name", "Value": name}]
    if policy:
        tags.append({"Key": "SnapshotPolicy", "Value": policy})
    vol = ec2.create_volume(
        AvailabilityZone="us-east-2a", Size=10, TagSpecifications=[{"ResourceType": "volume", "Tags": tags}]
    )
    return str(vol["VolumeId"])


def _snaps(ec2: Any) -> list[dict[str, Any]]:
    """Snapshots of the planted volumes (moto also lists its AMIs' snapshots)."""
    ids = [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]]
    return list(ec2.describe_snapshots(Filters=[{"Name": "volume-id", "Values": ids}])["Snapshots"])


def test_snapshots_the_tagged_volumes_with_dlm_like_tags(aws: Aws) -> None:
    ec2 = aws.raw("ec2")
    data = _volume(ec2, "acme-corp-production-postgres-data", POLICY)
    wal = _volume(ec2, "acme-corp-production-postgres-wal", POLICY)
    _volume(ec2, "globex-production-postgres-data", "globex-production-postgres")  # another client's
    _volume(ec2, "acme-corp-production-analytics-data", None)
    code, report = cli_json(aws, "db", "snapshot", "acme-corp", "--output", "json")
    assert code == 0, report
    ids = {s["snapshot_id"]: s["volume_id"] for s in report["snapshots"]}
    assert sorted(ids.values()) == sorted([data, wal])
    snaps = _snaps(ec2)
    assert {s["SnapshotId"]: s["VolumeId"] for s in snaps} == ids
    for snap in snaps:
        tags = {t["Key"]: t["Value"] for t in snap["Tags"]}
        assert tags["SnapshotPolicy"] == POLICY and tags["CreatedBy"] == "clientctl db snapshot"
        assert tags["Client"] == "acme-corp" and tags["ClientCode"] == "ACME" and tags["Environment"] == "production"
        assert {"CostCenter", "Tier", "ManagedBy", "Project", "Compliance"} <= set(tags)
    code, out = aws.cli("db", "snapshot", "acme-corp")
    assert code == 0 and len(_snaps(ec2)) == 4
    for line in out.splitlines():
        if line.startswith("snap-"):
            assert line.split()[2] in (data, wal)


def test_dry_run_makes_no_mutating_call(aws: Aws) -> None:
    ec2 = aws.raw("ec2")
    vol = _volume(ec2, "acme-corp-production-postgres-data", POLICY)
    code, out = aws.cli("db", "snapshot", "acme-corp", "--dry-run")
    assert code == 0 and f"would snapshot {vol}" in out
    assert _snaps(ec2) == []
    recorder = CallRecorder()
    made = db_snapshot.snapshot(aws.target(recorder).client("ec2"), "acme-corp", POLICY, {}, dry_run=True)
    assert [s.volume.id for s in made] == [vol] and recorder.calls and recorder.mutating == []


def test_no_volumes_says_layer_03_is_not_applied(aws: Aws) -> None:
    _volume(aws.raw("ec2"), "globex-production-postgres-data", "globex-production-postgres")
    code, out = aws.cli("db", "snapshot", "acme-corp")
    assert code == 1 and "layer 03-database is not applied" in out and POLICY in out
    assert "Traceback" not in out
    assert _snaps(aws.raw("ec2")) == []
