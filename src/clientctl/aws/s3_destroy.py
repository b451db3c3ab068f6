"""Safe destruction of versioned buckets (docs/aws-operations.md 's3 destroy and emergency-cleanup').

``inventory`` is read-only (preflight: versions, delete markers, uploads, Object Lock, legal holds,
replication, MFA delete). ``destroy`` aborts uploads, deletes every version and delete marker in
DeleteObjects batches of 1,000 (pages processed concurrently), reads per-key errors (throttling retried
with backoff, locked keys reported), relists until empty and deletes the bucket. Rerunning after an
interruption finishes the job: everything is derived from what is still there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clientctl.aws import object_files
from clientctl.aws.backend import NOT_CONFIGURED
from clientctl.aws.errors import error_code, is_missing_bucket
from clientctl.errors import ClientctlError, ConfigError
from clientctl.fsutil import atomic_write

BATCH = 1000
RETRYABLE = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "Throttling", "503", "500"}
Progress = Callable[[str], None]
_STATS_LOCK = threading.Lock()


def _quiet(_message: str) -> None:
    return None


@dataclass
class LockedVersion:
    key: str
    version_id: str
    mode: str | None
    retain_until: str | None
    legal_hold: bool


@dataclass
class Inventory:
    bucket: str
    exists: bool
    region: str | None = None
    versioning: str = "Disabled"
    mfa_delete: bool = False
    object_lock: bool = False
    object_lock_default: dict[str, Any] | None = None
    replication_rules: int = 0
    versions: int = 0
    delete_markers: int = 0
    bytes: int = 0
    uploads: int = 0
    locked: list[LockedVersion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "locked"}
        data["locked"] = [lv.__dict__ for lv in self.locked]
        return data

    def summary(self) -> str:
        if not self.exists:
            return f"{self.bucket}: does not exist (nothing to do)"
        lock = "on" if self.object_lock else "off"
        return (
            f"{self.bucket} ({self.region}): {self.versions} version(s), {self.delete_markers} delete marker(s), "
            f"{self.bytes} bytes, {self.uploads} incomplete upload(s); versioning {self.versioning}, "
            f"MFA delete {'on' if self.mfa_delete else 'off'}, Object Lock {lock}, "
            f"{len(self.locked)} locked version(s), {self.replication_rules} replication rule(s)"
        )


def iter_versions(s3: Any, bucket: str, prefix: str = "") -> Iterator[list[dict[str, Any]]]:
    """Pages of {Key, VersionId, Size?, IsMarker} (versions and delete markers together), under ``prefix``."""
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": BATCH}):
        items = [
            {
                "Key": v["Key"],
                "VersionId": v.get("VersionId") or "null",
                "Size": v.get("Size", 0),
                "IsLatest": v.get("IsLatest", False),
                "ETag": v.get("ETag"),
                "IsMarker": False,
            }
            for v in page.get("Versions", [])
        ]
        items += [
            {"Key": m["Key"], "VersionId": m.get("VersionId") or "null", "Size": 0, "IsMarker": True}
            for m in page.get("DeleteMarkers", [])
        ]
        if items:
            yield items


def list_uploads(s3: Any, bucket: str, prefix: str = "") -> list[dict[str, str]]:
    uploads: list[dict[str, str]] = []
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = s3.list_multipart_uploads(**kwargs)
        uploads += [{"Key": u["Key"], "UploadId": u["UploadId"]} for u in page.get("Uploads", [])]
        if not page.get("IsTruncated"):
            return uploads
        kwargs["KeyMarker"] = page.get("NextKeyMarker")
        kwargs["UploadIdMarker"] = page.get("NextUploadIdMarker")


def inventory(s3: Any, bucket: str, *, account: str | None = None) -> Inventory:
    """Read-only preflight of one bucket."""
    inv = Inventory(bucket, exists=True)
    try:
        kwargs = {"Bucket": bucket, **({"ExpectedBucketOwner": account} if account else {})}
        s3.head_bucket(**kwargs)
    except Exception as exc:
        if is_missing_bucket(exc):
            inv.exists = False
            return inv
        if error_code(exc) in {"403", "AccessDenied"}:
            raise ConfigError(
                f"bucket {bucket} is not yours or denies you access", hint="use the owning account's credentials"
            ) from exc
        raise
    inv.region = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
    ver = s3.get_bucket_versioning(Bucket=bucket)
    inv.versioning = ver.get("Status", "Disabled")
    inv.mfa_delete = ver.get("MFADelete") == "Enabled"
    try:
        lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
        inv.object_lock = lock.get("ObjectLockEnabled") == "Enabled"
        inv.object_lock_default = (lock.get("Rule") or {}).get("DefaultRetention")
    except Exception as exc:
        if error_code(exc) not in NOT_CONFIGURED:
            raise
    try:
        inv.replication_rules = len(s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"])
    except Exception as exc:
        if error_code(exc) not in NOT_CONFIGURED:
            raise
    inv.uploads = len(list_uploads(s3, bucket))
    for page in iter_versions(s3, bucket):
        for item in page:
            if item["IsMarker"]:
                inv.delete_markers += 1
                continue
            inv.versions += 1
            inv.bytes += int(item["Size"] or 0)
            if inv.object_lock:
                locked = _lock_of(s3, bucket, item)
                if locked is not None:
                    inv.locked.append(locked)
    return inv


def _lock_of(s3: Any, bucket: str, item: dict[str, Any]) -> LockedVersion | None:
    head = s3.head_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
    mode = head.get("ObjectLockMode")
    until = head.get("ObjectLockRetainUntilDate")
    hold = head.get("ObjectLockLegalHoldStatus") == "ON"
    active = until is not None and until > dt.datetime.now(dt.UTC)
    if hold or (mode and active):
        return LockedVersion(
            item["Key"],
            item["VersionId"],
            mode if active else None,
            until.isoformat() if until is not None and active else None,
            hold,
        )
    return None


# --- backup ---


@dataclass
class Backup:
    destination: str
    objects: int = 0
    bytes: int = 0
    manifest: str = ""


def check_backup_destination(destination: str, s3: Any) -> None:
    """Fail before anything is deleted when the backup cannot be written."""
    if destination.startswith("s3://"):
        bucket = destination[5:].split("/", 1)[0]
        try:
            s3.head_bucket(Bucket=bucket)
        except Exception as exc:
            raise ConfigError(
                f"--backup {destination}: bucket {bucket} is not reachable ({error_code(exc)})",
                hint="create it first or choose a local folder",
            ) from exc
        return
    # Nothing is created here (an aborted run must leave no empty folder): the folder, or the nearest
    # existing folder above it, must be a writable folder.
    path = Path(destination).absolute()
    existing = next(p for p in (path, *path.parents) if p.exists() or p.is_symlink())
    problem = None
    if not existing.is_dir():
        problem = f"{existing} is not a folder"
    else:
        try:  # an anonymous temporary file: proves write access (root included) and leaves nothing
            tempfile.TemporaryFile(dir=existing).close()
        except OSError as exc:
            problem = f"{existing}: {exc.strerror or exc}"
    if problem:
        raise ConfigError(
            f"--backup {destination}: cannot write there ({problem})",
            hint="choose a writable folder or an s3://bucket/prefix",
        )


def backup_bucket(s3: Any, bucket: str, destination: str, progress: Progress = _quiet) -> Backup:
    """Copy the current version of every object and verify count, sizes and checksums."""
    current = [i for page in iter_versions(s3, bucket) for i in page if not i["IsMarker"] and i.get("IsLatest")]
    result = Backup(destination)
    manifest: list[dict[str, Any]] = []
    local = not destination.startswith("s3://")
    files = object_files.plan_files(i["Key"] for i in current) if local else {}
    for item in current:
        key, size = item["Key"], int(item["Size"] or 0)
        if destination.startswith("s3://"):
            target_bucket, _, prefix = destination[5:].partition("/")
            target_key = f"{prefix.rstrip('/')}/{bucket}/{key}".lstrip("/")
            s3.copy_object(
                Bucket=target_bucket,
                Key=target_key,
                CopySource={"Bucket": bucket, "Key": key, "VersionId": item["VersionId"]},
            )
            head = s3.head_object(Bucket=target_bucket, Key=target_key)
            if int(head["ContentLength"]) != size or (
                "-" not in str(item["ETag"]) and head.get("ETag") != item["ETag"]
            ):
                raise ClientctlError(
                    f"backup of {bucket}/{key} does not match the source (size or ETag)",
                    hint="nothing was deleted; check the backup bucket and rerun",
                )
            manifest.append({"key": key, "version_id": item["VersionId"], "size": size, "etag": head.get("ETag")})
        else:
            body = s3.get_object(Bucket=bucket, Key=key, VersionId=item["VersionId"])["Body"].read()
            folder = Path(destination) / bucket
            folder.mkdir(parents=True, exist_ok=True)
            path = object_files.write_object(folder, files[key], body)
            written = path.read_bytes()
            etag = str(item["ETag"]).strip('"')
            if len(written) != size or ("-" not in etag and hashlib.md5(written).hexdigest() != etag):
                raise ClientctlError(
                    f"backup of {bucket}/{key} does not match the source (size or MD5)",
                    hint="nothing was deleted; check the disk and rerun",
                )
            manifest.append(
                {
                    "key": key,
                    "file": str(files[key]),
                    "version_id": item["VersionId"],
                    "size": size,
                    "sha256": hashlib.sha256(written).hexdigest(),
                }
            )
        result.objects += 1
        result.bytes += size
    if len(manifest) != len(current):
        raise ClientctlError(f"backup of {bucket} copied {len(manifest)} of {len(current)} objects")
    doc = json.dumps({"bucket": bucket, "objects": manifest}, indent=2)
    if destination.startswith("s3://"):
        target_bucket, _, prefix = destination[5:].partition("/")
        key = f"{prefix.rstrip('/')}/{bucket}.clientctl-manifest.json".lstrip("/")
        s3.put_object(Bucket=target_bucket, Key=key, Body=doc.encode())
        result.manifest = f"s3://{target_bucket}/{key}"
    else:
        # Beside the bucket's folder, not in it: no object key can map onto the manifest.
        path = Path(destination) / f"{bucket}.clientctl-manifest.json"
        atomic_write(path, doc + "\n")
        result.manifest = str(path)
    progress(f"{bucket}: backed up {result.objects} object(s), {result.bytes} bytes, verified -> {destination}")
    return result


# --- destroy ---


@dataclass
class DestroyStats:
    bucket: str
    deleted: int = 0
    delete_calls: int = 0
    single_deletes: int = 0
    retries: int = 0
    uploads_aborted: int = 0
    passes: int = 0
    bucket_deleted: bool = False
    errors: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _xml_safe(key: str) -> bool:
    return all(c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or ord(c) > 0xFFFF for c in key)


def _delete_batch(
    s3: Any,
    bucket: str,
    items: list[dict[str, Any]],
    stats: DestroyStats,
    *,
    bypass_governance: bool,
    max_attempts: int = 6,
) -> None:
    pending = [{"Key": i["Key"], "VersionId": i["VersionId"]} for i in items if _xml_safe(i["Key"])]
    for item in items:
        if not _xml_safe(item["Key"]):  # cannot go into a DeleteObjects XML body
            s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
            with _STATS_LOCK:
                stats.single_deletes += 1
                stats.deleted += 1
    attempt = 0
    while pending:
        kwargs: dict[str, Any] = {"Bucket": bucket, "Delete": {"Objects": pending, "Quiet": True}}
        if bypass_governance:
            kwargs["BypassGovernanceRetention"] = True
        try:
            response = s3.delete_objects(**kwargs)
        except Exception as exc:
            if error_code(exc) in RETRYABLE and attempt < max_attempts:
                attempt += 1
                with _STATS_LOCK:
                    stats.retries += 1
                time.sleep(min(8.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.0))
                continue
            raise
        finally:
            with _STATS_LOCK:
                stats.delete_calls += 1
        errors = response.get("Errors", [])
        retry = []
        for err in errors:
            code = err.get("Code", "")
            if code == "NoSuchKey":
                continue
            if code in RETRYABLE and attempt < max_attempts:
                retry.append({"Key": err["Key"], "VersionId": err.get("VersionId") or "null"})
            else:
                with _STATS_LOCK:
                    stats.errors.append(
                        {
                            "key": err.get("Key", ""),
                            "version_id": err.get("VersionId", ""),
                            "code": code,
                            "message": err.get("Message", ""),
                        }
                    )
        with _STATS_LOCK:
            stats.deleted += len(pending) - len(errors) + sum(1 for e in errors if e.get("Code") == "NoSuchKey")
        pending = retry
        if pending:
            attempt += 1
            with _STATS_LOCK:
                stats.retries += 1
            time.sleep(min(8.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.0))


def empty_bucket(
    s3: Any,
    bucket: str,
    stats: DestroyStats,
    *,
    workers: int = 8,
    bypass_governance: bool = False,
    max_passes: int = 5,
    progress: Progress = _quiet,
    prefix: str = "",
) -> None:
    """Abort uploads, delete every version and marker (only under ``prefix`` when given: offboard); relist
    until empty (or only errors remain)."""
    for upload in list_uploads(s3, bucket, prefix):
        with contextlib.suppress(Exception):
            s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
            stats.uploads_aborted += 1
    # Relist until empty. A pass ends early when the list marker was deleted under it (moto does this;
    # S3 may show deleted keys for a moment), so passes continue while they make progress.
    idle = 0
    while stats.passes < max_passes * 1000:
        stats.passes += 1
        failed_before, deleted_before = len(stats.errors), stats.deleted
        seen = 0
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures: list[Future[None]] = []
            for page in iter_versions(s3, bucket, prefix):
                seen += len(page)
                futures.append(pool.submit(_delete_batch, s3, bucket, page, stats, bypass_governance=bypass_governance))
            for future in futures:
                future.result()
        progress(f"{bucket}: pass {stats.passes}: {seen} listed, {stats.deleted} deleted so far")
        if seen == 0:
            return
        if len(stats.errors) > failed_before and seen == len(stats.errors) - failed_before:
            return  # only undeletable keys remain (reported)
        idle = idle + 1 if stats.deleted == deleted_before else 0
        if idle >= max_passes:
            return


def delete_bucket(s3: Any, bucket: str, stats: DestroyStats, attempts: int = 5) -> None:
    for attempt in range(attempts):
        try:
            s3.delete_bucket(Bucket=bucket)
            stats.bucket_deleted = True
            return
        except Exception as exc:
            code = error_code(exc)
            if is_missing_bucket(exc):
                stats.bucket_deleted = True
                return
            if code in {"BucketNotEmpty", "OperationAborted", "409", *RETRYABLE} and attempt < attempts - 1:
                time.sleep(0.5 * (attempt + 1))
                if code == "BucketNotEmpty":
                    empty_bucket(s3, bucket, stats, max_passes=1)
                continue
            raise


def destroy(
    s3: Any, bucket: str, *, workers: int = 8, bypass_governance: bool = False, progress: Progress = _quiet
) -> DestroyStats:
    """Empty and delete ``bucket``; a missing bucket is already done. Locked keys are reported, not skipped."""
    stats = DestroyStats(bucket)
    started = time.perf_counter()
    try:
        try:
            s3.head_bucket(Bucket=bucket)
        except Exception as exc:
            if is_missing_bucket(exc):
                stats.bucket_deleted = True
                progress(f"{bucket}: already gone")
                return stats
            raise
        with contextlib.suppress(Exception):
            s3.delete_bucket_replication(Bucket=bucket)
        empty_bucket(s3, bucket, stats, workers=workers, bypass_governance=bypass_governance, progress=progress)
        if stats.errors:
            codes = sorted({e["code"] for e in stats.errors})
            raise ClientctlError(
                f"{bucket}: {len(stats.errors)} version(s) could not be deleted ({', '.join(codes)}); "
                "the bucket was kept",
                hint=f"`clientctl s3 emergency-cleanup --bucket {bucket}` diagnoses Object Lock, legal holds "
                "and denying policies",
            )
        delete_bucket(s3, bucket, stats)
        progress(f"{bucket}: deleted ({stats.deleted} version(s)/marker(s), {stats.delete_calls} DeleteObjects)")
        return stats
    finally:
        stats.seconds = time.perf_counter() - started
