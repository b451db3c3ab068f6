"""On-demand EBS snapshots of one client's PostgreSQL volumes (runbook "Backup": ``aws ec2 create-snapshot``).

The volumes are found the way layer 03's DLM policy finds them: by the ``SnapshotPolicy`` tag
(``names.snapshot_target_tags["postgres"]``, see modules/postgres-cluster/main.tf). The snapshots carry
the client's tags (``naming.tags``, as DLM's ``copy_tags`` copies them from the volume), the
``SnapshotPolicy`` tag and ``CreatedBy=clientctl db snapshot`` (DLM's own add ``SnapshotCreator=dlm``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clientctl.errors import ChecksFailed

CREATED_BY = "clientctl db snapshot"


@dataclass(frozen=True)
class Volume:
    id: str
    name: str | None
    size: int


@dataclass(frozen=True)
class Snapshot:
    id: str | None
    volume: Volume

    def to_dict(self) -> dict[str, Any]:
        return {"snapshot_id": self.id, "volume_id": self.volume.id, "volume_name": self.volume.name}


def find_volumes(ec2: Any, policy_tag: str) -> list[Volume]:
    volumes: list[Volume] = []
    filters = [{"Name": "tag:SnapshotPolicy", "Values": [policy_tag]}]
    for page in ec2.get_paginator("describe_volumes").paginate(Filters=filters):
        for item in page.get("Volumes", []):
            tags = {t["Key"]: t["Value"] for t in item.get("Tags", [])}
            volumes.append(Volume(str(item["VolumeId"]), tags.get("Name"), int(item.get("Size", 0))))
    return sorted(volumes, key=lambda v: v.id)


def snapshot_tags(client_tags: dict[str, str], policy_tag: str, volume: Volume) -> dict[str, str]:
    tags = {**client_tags, "SnapshotPolicy": policy_tag, "CreatedBy": CREATED_BY}
    if volume.name:
        tags["Name"] = volume.name
    return tags


def snapshot(ec2: Any, client: str, policy_tag: str, client_tags: dict[str, str], *, dry_run: bool) -> list[Snapshot]:
    """One snapshot per tagged volume (none written on dry-run); no volume is exit 1 naming layer 03."""
    volumes = find_volumes(ec2, policy_tag)
    if not volumes:
        raise ChecksFailed(
            f"no EBS volume of {client} is tagged SnapshotPolicy={policy_tag} in this region",
            hint=f"layer 03-database is not applied: clientctl apply {client} --layer 03-database",
        )
    if dry_run:
        return [Snapshot(None, v) for v in volumes]
    made = []
    for volume in volumes:
        tags = snapshot_tags(client_tags, policy_tag, volume)
        answer = ec2.create_snapshot(
            VolumeId=volume.id,
            Description=f"{CREATED_BY}: {client} {volume.name or volume.id}",
            TagSpecifications=[
                {"ResourceType": "snapshot", "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}
            ],
        )
        made.append(Snapshot(str(answer["SnapshotId"]), volume))
    return made
