"""Terraform state locks, as Terraform's S3 backend writes them, listed, released, taken and audited.

Terraform (>= 1.10, ``use_lockfile`` and ``dynamodb_table`` both set, docs/adr/ADR-003) holds one lock
in two places with the same lock-info JSON: the DynamoDB item ``LockID = "<bucket>/<state key>"`` with an
``Info`` attribute, and the S3 object ``<state key>.tflock``. The lock table also holds a digest item
``"<bucket>/<state key>-md5"`` (attribute ``Digest``) per state: that is not a lock and is never touched
here, except by :func:`clientctl.aws.state.restore_version`, which must keep it equal to the state's MD5.

S3 objects cannot be appended to, so the audit log of released locks is one object per event under
``clientctl/audit/locks/<utc timestamp>-<lock id>.json`` in the state bucket.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from clientctl.aws.errors import error_code, is_missing_bucket, is_missing_key, is_missing_table
from clientctl.errors import ChecksFailed, ConfigError

LOCKFILE_SUFFIX = ".tflock"
DIGEST_SUFFIX = "-md5"
AUDIT_PREFIX = "clientctl/audit/locks/"
DEFAULT_MIN_AGE_MINUTES = 15

_STATE_KEY = re.compile(
    r"^(?:env:/(?P<client>[^/]+)/)?providers/aws/regions/(?P<region>[^/]+)/layers/(?P<layer>[^/]+)/"
    r"(?P<environment>[^/]+)/terraform\.tfstate$"
)
_FRACTION = re.compile(r"\.(\d+)")


@dataclass(frozen=True)
class StateKey:
    """What a state key says: workspace (the client; None for the default workspace), region, layer, env."""

    client: str | None
    region: str
    layer: str
    environment: str


def parse_state_key(key: str) -> StateKey | None:
    match = _STATE_KEY.match(key)
    if not match:
        return None
    return StateKey(match["client"], match["region"], match["layer"], match["environment"])


def parse_created(text: str) -> dt.datetime | None:
    """Terraform's ``Created`` (Go RFC 3339 with nanoseconds, e.g. 2026-11-27T10:00:00.123456789Z)."""
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00")
    value = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), value, count=1)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def short_operation(operation: str) -> str:
    """OperationTypeApply -> apply."""
    return operation.removeprefix("OperationType").lower() or "?"


def format_age(age: dt.timedelta | None) -> str:
    if age is None:
        return "?"
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


@dataclass
class Lock:
    """One held lock (DynamoDB item and/or S3 lockfile with the same ID) on one state key."""

    id: str
    bucket: str
    key: str
    who: str
    operation: str
    created: dt.datetime | None
    version: str
    info: str = ""
    # source ("dynamodb" | "s3") -> the exact stored text, so a release removes only what was listed
    raw: dict[str, str] = field(default_factory=dict)
    table: str | None = None

    @property
    def path(self) -> str:
        return f"{self.bucket}/{self.key}"

    @property
    def sources(self) -> list[str]:
        return sorted(self.raw)

    @property
    def state(self) -> StateKey | None:
        return parse_state_key(self.key)

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        return None if self.created is None else now - self.created

    def holder(self, now: dt.datetime) -> str:
        """alice@laptop (apply, 12 min)"""
        return f"{self.who or 'unknown'} ({short_operation(self.operation)}, {format_age(self.age(now))})"

    def to_dict(self, now: dt.datetime) -> dict[str, Any]:
        state = self.state
        age = self.age(now)
        return {
            "id": self.id,
            "path": self.path,
            "bucket": self.bucket,
            "key": self.key,
            "client": state.client if state else None,
            "layer": state.layer if state else None,
            "who": self.who,
            "operation": self.operation,
            "created": self.created.isoformat() if self.created else None,
            "age_seconds": int(age.total_seconds()) if age is not None else None,
            "terraform_version": self.version,
            "info": self.info,
            "sources": self.sources,
            "table": self.table,
        }


@dataclass
class LockListing:
    locks: list[Lock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    table_missing: bool = False


def _lock_from_info(text: str, bucket: str, key: str, source: str, table: str | None) -> Lock | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return Lock(
        id=str(data.get("ID", "")),
        bucket=bucket,
        key=key,
        who=str(data.get("Who", "")),
        operation=str(data.get("Operation", "")),
        created=parse_created(str(data.get("Created", ""))),
        version=str(data.get("Version", "")),
        info=str(data.get("Info", "")),
        raw={source: text},
        table=table,
    )


def _merge(locks: list[Lock], lock: Lock) -> None:
    for existing in locks:
        if existing.path == lock.path and existing.id == lock.id:
            existing.raw.update(lock.raw)
            existing.table = existing.table or lock.table
            return
    locks.append(lock)


def require_bucket(s3: Any, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception as exc:
        if is_missing_bucket(exc):
            raise ConfigError(
                f"state bucket {bucket} does not exist",
                hint="create it with `clientctl backend provision`, or check --region / credentials",
            ) from exc
        raise


def list_locks(s3: Any, ddb: Any, bucket: str, table: str | None, *, key: str | None = None) -> LockListing:
    """Every lock on ``bucket``'s state keys (or only on ``key``): lock-table items and S3 lockfiles."""
    listing = LockListing()
    if table is not None:
        _dynamodb_locks(ddb, bucket, table, key, listing)
    _lockfile_locks(s3, bucket, key, listing)
    listing.locks.sort(key=lambda lk: (lk.key, lk.id))
    return listing


def _dynamodb_locks(ddb: Any, bucket: str, table: str, key: str | None, listing: LockListing) -> None:
    try:
        if key is not None:
            item = ddb.get_item(TableName=table, Key={"LockID": {"S": f"{bucket}/{key}"}}, ConsistentRead=True)
            items = [item["Item"]] if "Item" in item else []
        else:
            items = []
            for page in ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
                items.extend(page.get("Items", []))
    except Exception as exc:
        if is_missing_table(exc):
            listing.notes.append(f"lock table {table} does not exist: only S3 lockfiles were checked")
            listing.table_missing = True
            return
        raise
    prefix = f"{bucket}/"
    for item in items:
        lock_id = item.get("LockID", {}).get("S", "")
        if not lock_id.startswith(prefix) or lock_id.endswith(DIGEST_SUFFIX) or "Info" not in item:
            continue  # another bucket's lock, or a state digest item (not a lock)
        text = item["Info"].get("S", "")
        state_key = lock_id[len(prefix) :]
        lock = _lock_from_info(text, bucket, state_key, "dynamodb", table)
        if lock is None:
            listing.notes.append(f"unreadable lock item {lock_id} in {table}: remove it with the AWS console/CLI")
            continue
        _merge(listing.locks, lock)


def _lockfile_locks(s3: Any, bucket: str, key: str | None, listing: LockListing) -> None:
    keys: list[str] = []
    try:
        if key is not None:
            try:
                s3.head_object(Bucket=bucket, Key=key + LOCKFILE_SUFFIX)
                keys = [key + LOCKFILE_SUFFIX]
            except Exception as exc:
                if not is_missing_key(exc):
                    raise
        else:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(LOCKFILE_SUFFIX)]
    except Exception as exc:
        if is_missing_bucket(exc):
            raise ConfigError(
                f"state bucket {bucket} does not exist", hint="create it with `clientctl backend provision`"
            ) from exc
        raise
    for lockfile in keys:
        try:
            text = s3.get_object(Bucket=bucket, Key=lockfile)["Body"].read().decode("utf-8", "replace")
        except Exception as exc:
            if is_missing_key(exc):
                continue  # released between list and get
            raise
        lock = _lock_from_info(text, bucket, lockfile.removesuffix(LOCKFILE_SUFFIX), "s3", None)
        if lock is None:
            listing.notes.append(f"unreadable lockfile s3://{bucket}/{lockfile}: delete it by hand if no run holds it")
            continue
        _merge(listing.locks, lock)


def find_lock(locks: list[Lock], lock_id: str) -> Lock:
    """The lock with this ID (a unique prefix of 8+ characters is accepted)."""
    exact = [lk for lk in locks if lk.id == lock_id]
    if len(exact) == 1:
        return exact[0]
    matches = exact or ([lk for lk in locks if lk.id.startswith(lock_id)] if len(lock_id) >= 8 else [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ConfigError(
            f"lock ID {lock_id!r} matches {len(matches)} locks ({', '.join(lk.path for lk in matches)})",
            hint="give the full lock ID",
        )
    held = ", ".join(lk.id for lk in locks) or "none"
    raise ConfigError(
        f"no lock with ID {lock_id!r} is held",
        hint=f"locks held now: {held} (see `clientctl lock list`); it may have been released already",
    )


class LockChanged(ChecksFailed):
    """The lock changed between listing and release (someone released or re-took it): nothing removed."""


def release(s3: Any, ddb: Any, lock: Lock) -> list[str]:
    """Remove exactly the listed lock: conditional on its stored text, so a newer lock is never removed."""
    removed: list[str] = []
    if "dynamodb" in lock.raw and lock.table:
        try:
            ddb.delete_item(
                TableName=lock.table,
                Key={"LockID": {"S": lock.path}},
                ConditionExpression="Info = :info",
                ExpressionAttributeValues={":info": {"S": lock.raw["dynamodb"]}},
            )
        except Exception as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise LockChanged(
                    f"the lock item {lock.path} changed since it was listed; nothing was removed",
                    hint="run `clientctl lock list` again",
                ) from exc
            raise
        removed.append(f"dynamodb://{lock.table}/{lock.path}")
    if "s3" in lock.raw:
        lockfile = lock.key + LOCKFILE_SUFFIX
        try:
            current = s3.get_object(Bucket=lock.bucket, Key=lockfile)["Body"].read().decode("utf-8", "replace")
        except Exception as exc:
            if not is_missing_key(exc):
                raise
            current = None
        if current is not None:
            if current != lock.raw["s3"]:
                raise LockChanged(
                    f"the lockfile s3://{lock.bucket}/{lockfile} changed since it was listed"
                    + (" (the lock-table item was removed)" if removed else "; nothing was removed"),
                    hint="run `clientctl lock list` again",
                )
            s3.delete_object(Bucket=lock.bucket, Key=lockfile)
            removed.append(f"s3://{lock.bucket}/{lockfile}")
    return removed


def release_at(s3: Any, ddb: Any, path: str, table: str | None, lock_id: str) -> list[str]:
    """Remove lock ``lock_id`` from the state at ``path`` (``bucket/key``, the ``Path`` of Terraform's Lock
    Info) if that lock is still held there; what was removed (nothing when it is gone already)."""
    bucket, _, key = path.partition("/")
    held = [lk for lk in list_locks(s3, ddb, bucket, table, key=key).locks if lk.id == lock_id]
    return release(s3, ddb, held[0]) if held else []


# ------------------------------------------------------------------------------------------------ taking


def lock_info(path: str, who: str, operation: str, now: dt.datetime, info: str = "") -> dict[str, str]:
    """Lock info in Terraform's JSON form (so Terraform shows our lock like its own)."""
    return {
        "ID": str(uuid.uuid4()),
        "Operation": operation,
        "Info": info,
        "Who": who,
        "Version": "clientctl",
        "Created": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "Path": path,
    }


def acquire(s3: Any, ddb: Any, bucket: str, key: str, table: str | None, info: dict[str, str]) -> Lock:
    """Take the state lock like Terraform: S3 lockfile (If-None-Match) then the lock-table item (conditional)."""
    text = json.dumps(info)
    lockfile = key + LOCKFILE_SUFFIX
    try:
        s3.put_object(Bucket=bucket, Key=lockfile, Body=text.encode(), IfNoneMatch="*", ContentType="application/json")
    except Exception as exc:
        if error_code(exc) in {"PreconditionFailed", "412", "ConditionalRequestConflict"}:
            raise ChecksFailed(f"state {key} was locked by someone else just now", hint="try again later") from exc
        raise
    lock = Lock(
        id=info["ID"],
        bucket=bucket,
        key=key,
        who=info["Who"],
        operation=info["Operation"],
        created=parse_created(info["Created"]),
        version=info["Version"],
        info=info["Info"],
        raw={"s3": text},
        table=table,
    )
    if table is not None:
        try:
            ddb.put_item(
                TableName=table,
                Item={"LockID": {"S": lock.path}, "Info": {"S": text}},
                ConditionExpression="attribute_not_exists(LockID)",
            )
            lock.raw["dynamodb"] = text
        except Exception as exc:
            code = error_code(exc)
            if code != "ResourceNotFoundException":
                release(s3, ddb, lock)
                if code == "ConditionalCheckFailedException":
                    raise ChecksFailed(
                        f"state {key} was locked by someone else just now", hint="try again later"
                    ) from exc
                raise
    return lock


# ------------------------------------------------------------------------------------------------- audit


def audit_key(now: dt.datetime, lock_id: str) -> str:
    return f"{AUDIT_PREFIX}{now.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}-{lock_id}.json"


def write_audit(s3: Any, bucket: str, event: dict[str, Any], now: dt.datetime) -> str:
    key = audit_key(now, str(event.get("lock", {}).get("id", "unknown")))
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=(json.dumps(event, indent=2, sort_keys=True) + "\n").encode(),
        ContentType="application/json",
    )
    return key


def read_audit(s3: Any, bucket: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Audit events, oldest first (keys sort by time); the newest ``limit`` when given."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=AUDIT_PREFIX):
        keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(".json")]
    keys.sort()
    if limit is not None:
        keys = keys[-limit:] if limit else []
    events = []
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        try:
            event = json.loads(body)
        except ValueError:
            event = {"unreadable": True}
        event["audit_key"] = key
        events.append(event)
    return events


def remove_lock_digests(ddb: Any, table: str, prefix: str) -> int:
    """Delete the lock table's items under ``prefix`` (``<bucket>/<key prefix>``): the md5 digests Terraform's
    DynamoDB locking keeps per state, once those states are gone (offboarding). 0 when the table is missing."""
    removed = 0
    kwargs: dict[str, Any] = {
        "TableName": table,
        "ProjectionExpression": "LockID",
        "FilterExpression": "begins_with(LockID, :p)",
        "ExpressionAttributeValues": {":p": {"S": prefix}},
    }
    try:
        while True:
            page = ddb.scan(**kwargs)
            for item in page.get("Items", []):
                ddb.delete_item(TableName=table, Key={"LockID": item["LockID"]})
                removed += 1
            if "LastEvaluatedKey" not in page:
                return removed
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except Exception as exc:
        if is_missing_table(exc):
            return removed
        raise
