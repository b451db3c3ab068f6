"""Client state in the state bucket: the clients x layers status grid, state versions and restore.

Each (client, layer) has its own state object ``env:/<client>/<state key>`` (the workspace is the client,
:func:`clientctl.naming.client_state_key`). Functions take boto3 clients as parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from clientctl import naming
from clientctl.aws import locks as locks_mod
from clientctl.aws.errors import is_missing_key, is_missing_object
from clientctl.aws.locks import Lock
from clientctl.errors import ChecksFailed, ConfigError

LayerStatus = Literal["applied", "empty", "missing", "unreadable"]


@dataclass(frozen=True)
class StateDoc:
    """The few fields of a Terraform state file clientctl reports."""

    version: int
    serial: int
    lineage: str
    terraform_version: str
    resource_count: int  # managed resource instances (what `terraform state list` shows, without data sources)


class StateFormatError(ValueError):
    pass


def parse_state(body: bytes) -> StateDoc:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise StateFormatError(f"not JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise StateFormatError("not a Terraform state file (no 'version')")
    if data["version"] != 4:
        raise StateFormatError(f"state format version {data['version']} (clientctl reads version 4)")
    count = 0
    for resource in data.get("resources") or []:
        if isinstance(resource, dict) and resource.get("mode", "managed") == "managed":
            count += len(resource.get("instances") or [])
    return StateDoc(
        version=4,
        serial=int(data.get("serial", 0)),
        lineage=str(data.get("lineage", "")),
        terraform_version=str(data.get("terraform_version", "")),
        resource_count=count,
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class LayerState:
    client: str
    layer: str
    key: str
    present: bool = False
    last_modified: dt.datetime | None = None
    size: int | None = None
    version_id: str | None = None
    doc: StateDoc | None = None
    error: str | None = None
    lock: Lock | None = None

    @property
    def status(self) -> LayerStatus:
        if not self.present:
            return "missing"
        if self.doc is None:
            return "unreadable"
        return "applied" if self.doc.resource_count else "empty"

    def to_dict(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "key": self.key,
            "status": self.status,
            "present": self.present,
            "serial": self.doc.serial if self.doc else None,
            "last_modified": _iso(self.last_modified),
            "size": self.size,
            "resource_count": self.doc.resource_count if self.doc else None,
            "terraform_version": self.doc.terraform_version if self.doc else None,
            "lineage": self.doc.lineage if self.doc else None,
            "error": self.error,
            "lock": self.lock.to_dict(now) if self.lock else None,
        }


def _short(layer: str) -> str:
    return layer.split("-", 1)[0]


@dataclass
class ClientStatus:
    client: str
    enabled: bool
    region: str
    environment: str
    bucket: str
    layers: list[LayerState] = field(default_factory=list)

    @property
    def health(self) -> str:
        """locked | unreadable | incomplete | ok | disabled (disabled clients are not expected to be applied)."""
        if any(ls.lock for ls in self.layers):
            return "locked"
        if any(ls.status == "unreadable" for ls in self.layers):
            return "unreadable"
        if not self.enabled:
            return "disabled"
        return "ok" if all(ls.status == "applied" for ls in self.layers) else "incomplete"

    def summary(self, now: dt.datetime) -> str:
        """One line: "6/6 layers applied", "layers 05,06 missing", "locked by alice@laptop (apply, 12 min)"."""
        total = len(self.layers)
        by: dict[str, list[str]] = {}
        for ls in self.layers:
            by.setdefault(ls.status, []).append(_short(ls.layer))
        applied = len(by.get("applied", []))
        parts: list[str] = []
        if applied == total:
            parts.append(f"{total}/{total} layers applied")
        elif not applied and len(by.get("missing", [])) == total:
            parts.append("no state (never applied)")
        else:
            parts.append(f"{applied}/{total} layers applied")
            for status, word in (
                ("missing", "missing"),
                ("empty", "empty (no resources)"),
                ("unreadable", "unreadable"),
            ):
                found = by.get(status)
                if found:
                    parts.append(f"layer{'s' if len(found) > 1 else ''} {','.join(found)} {word}")
        for ls in self.layers:
            if ls.lock is not None:
                parts.append(f"{_short(ls.layer)} locked by {ls.lock.holder(now)}")
        if not self.enabled:
            parts.insert(0, "disabled")
        return "; ".join(parts)

    def to_dict(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "client": self.client,
            "enabled": self.enabled,
            "region": self.region,
            "environment": self.environment,
            "bucket": self.bucket,
            "health": self.health,
            "summary": self.summary(now),
            "layers": [ls.to_dict(now) for ls in self.layers],
        }


@dataclass(frozen=True)
class ClientRef:
    """What status needs of a registry client."""

    name: str
    enabled: bool
    region: str
    environment: str


def _read_doc(s3: Any, bucket: str, key: str, version_id: str | None = None) -> tuple[StateDoc | None, str | None]:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id:
        kwargs["VersionId"] = version_id
    body = s3.get_object(**kwargs)["Body"].read()
    try:
        return parse_state(body), None
    except StateFormatError as exc:
        return None, str(exc)


def read_outputs(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    """The root outputs recorded in one state object (name -> value), or None when there is no state."""
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as exc:
        if is_missing_object(exc):  # no state yet
            return None
        raise
    try:
        data = json.loads(body)
    except ValueError:
        return None
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {name: o.get("value") for name, o in outputs.items() if isinstance(o, dict)}


def client_status(
    s3: Any, bucket: str, client: ClientRef, layers: tuple[str, ...], held: list[Lock], workers: int = 8
) -> ClientStatus:
    """One client's row: one listing of its workspace prefix, then one GetObject per present state."""
    result = ClientStatus(client.name, client.enabled, client.region, client.environment, bucket)
    objects: dict[str, dict[str, Any]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"env:/{client.name}/"):
        objects.update({o["Key"]: o for o in page.get("Contents", [])})
    for layer in layers:
        key = naming.client_state_key(client.region, layer, client.environment, client.name)
        state = LayerState(client.name, layer, key)
        obj = objects.get(key)
        if obj is not None:
            state.present = True
            state.last_modified = obj.get("LastModified")
            state.size = obj.get("Size")
        state.lock = next((lk for lk in held if lk.bucket == bucket and lk.key == key), None)
        result.layers.append(state)

    def read(ls: LayerState) -> None:
        try:
            ls.doc, ls.error = _read_doc(s3, bucket, ls.key)
        except Exception as exc:
            if not is_missing_key(exc):
                raise
            ls.present = False  # deleted between list and get

    present = [ls for ls in result.layers if ls.present]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(present) or 1))) as pool:
        list(pool.map(read, present))
    return result


# ---------------------------------------------------------------------------------------------- versions


@dataclass
class StateVersion:
    version_id: str
    last_modified: dt.datetime | None
    size: int | None
    is_latest: bool
    delete_marker: bool = False
    doc: StateDoc | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version_id": self.version_id,
            "last_modified": _iso(self.last_modified),
            "size": self.size,
            "is_latest": self.is_latest,
            "delete_marker": self.delete_marker,
            "serial": self.doc.serial if self.doc else None,
            "terraform_version": self.doc.terraform_version if self.doc else None,
            "resource_count": self.doc.resource_count if self.doc else None,
            "lineage": self.doc.lineage if self.doc else None,
            "error": self.error,
        }


def bucket_versioning(s3: Any, bucket: str) -> str:
    return str(s3.get_bucket_versioning(Bucket=bucket).get("Status") or "Disabled")


def all_versions(s3: Any, bucket: str, key: str) -> list[StateVersion]:
    """Every version and delete marker of exactly ``key``, newest first (no object bodies read)."""
    found: list[StateVersion] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for v in page.get("Versions", []):
            if v["Key"] == key:  # the prefix also matches <key>.tflock
                found.append(StateVersion(v["VersionId"], v.get("LastModified"), v.get("Size"), bool(v["IsLatest"])))
        for m in page.get("DeleteMarkers", []):
            if m["Key"] == key:
                found.append(StateVersion(m["VersionId"], m.get("LastModified"), None, bool(m["IsLatest"]), True))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    found.sort(key=lambda v: (v.is_latest, v.last_modified or epoch), reverse=True)
    return found


def list_versions(s3: Any, bucket: str, key: str, limit: int | None = None, workers: int = 8) -> list[StateVersion]:
    """The newest ``limit`` versions with serial, Terraform version and resource count read from each."""
    versions = all_versions(s3, bucket, key)
    if limit is not None:
        versions = versions[:limit]

    def read(v: StateVersion) -> None:
        v.doc, v.error = _read_doc(s3, bucket, key, v.version_id)

    readable = [v for v in versions if not v.delete_marker]
    if readable:
        with ThreadPoolExecutor(max_workers=min(workers, len(readable))) as pool:
            list(pool.map(read, readable))
    return versions


@dataclass
class RestorePlan:
    bucket: str
    key: str
    source: StateVersion
    current: StateVersion | None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "key": self.key,
            "restore_version": self.source.to_dict(),
            "current_version": self.current.to_dict() if self.current else None,
            "warnings": self.warnings,
        }


@dataclass
class RestoreResult:
    new_version_id: str
    previous_version_id: str | None
    digest_updated: str | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "new_version_id": self.new_version_id,
            "previous_version_id": self.previous_version_id,
            "digest_item_updated": self.digest_updated,
            "notes": self.notes,
        }


def plan_restore(s3: Any, bucket: str, key: str, version_id: str) -> RestorePlan:
    """Check that ``version_id`` is a restorable Terraform state of ``key``; nothing is changed."""
    versions = all_versions(s3, bucket, key)
    if not versions:
        raise ConfigError(f"s3://{bucket}/{key} has no versions at all", hint="check the client and --layer")
    chosen = next((v for v in versions if v.version_id == version_id), None)
    if chosen is None:
        newest = ", ".join(v.version_id for v in versions[:3])
        raise ConfigError(
            f"version {version_id!r} does not exist for s3://{bucket}/{key} ({len(versions)} versions exist)",
            hint=f"newest: {newest}; list them with `clientctl state versions`",
        )
    if chosen.delete_marker:
        raise ConfigError(f"version {version_id} is a delete marker, not a state", hint="choose a version with a size")
    current = next((v for v in versions if v.is_latest and not v.delete_marker), None)
    chosen.doc, chosen.error = _read_doc(s3, bucket, key, version_id)
    if chosen.doc is None:
        raise ChecksFailed(f"version {version_id} is not a readable Terraform state: {chosen.error}")
    plan = RestorePlan(bucket, key, chosen, current)
    if current is not None:
        current.doc, current.error = _read_doc(s3, bucket, key, current.version_id)
        if current.doc and current.doc.lineage != chosen.doc.lineage:
            plan.warnings.append(
                f"lineage differs (current {current.doc.lineage}, restoring {chosen.doc.lineage}): "
                "this version belongs to another state history"
            )
    if chosen.doc.resource_count == 0:
        plan.warnings.append("the version to restore has no resources")
    return plan


def restore_version(
    s3: Any,
    ddb: Any,
    plan: RestorePlan,
    table: str | None,
    who: str,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda _m: None,
) -> RestoreResult:
    """Copy the chosen version over the current key under our own state lock.

    Refuses when the state is locked. The previous current version stays as a noncurrent version. The
    lock table's digest item ``<bucket>/<key>-md5`` is set to the restored state's MD5: Terraform compares
    it with the state it reads and would otherwise refuse the restored state as corrupt.
    """
    bucket, key = plan.bucket, plan.key
    held = locks_mod.list_locks(s3, ddb, bucket, table, key=key)
    if held.locks:
        lock = held.locks[0]
        raise ChecksFailed(
            f"state {key} is locked by {lock.holder(now)}, lock ID {lock.id}; nothing was restored",
            hint="wait for that run to finish, or release a dead lock with `clientctl lock release`",
        )
    notes = list(held.notes)
    table = None if held.table_missing else table
    progress(f"locking s3://{bucket}/{key}")
    info = locks_mod.lock_info(f"{bucket}/{key}", who, "OperationTypeInvalid", now, "clientctl state restore")
    own = locks_mod.acquire(s3, ddb, bucket, key, table, info)
    try:
        progress(f"copying version {plan.source.version_id} over the current state")
        copied = s3.copy_object(
            Bucket=bucket,
            Key=key,
            CopySource={"Bucket": bucket, "Key": key, "VersionId": plan.source.version_id},
            ServerSideEncryption="AES256",
            MetadataDirective="COPY",
        )
        new_version = str(copied.get("VersionId", ""))
        digest_item = None
        if table is not None:
            body = s3.get_object(Bucket=bucket, Key=key, VersionId=new_version)["Body"].read()
            digest_item = f"{bucket}/{key}{locks_mod.DIGEST_SUFFIX}"
            ddb.put_item(
                TableName=table,
                Item={
                    "LockID": {"S": digest_item},
                    "Digest": {"S": hashlib.md5(body, usedforsecurity=False).hexdigest()},
                },
            )
    finally:
        progress("unlocking")
        locks_mod.release(s3, ddb, own)
    return RestoreResult(new_version, plan.current.version_id if plan.current else None, digest_item, notes)
