"""Backend bootstrap: the state bucket, the lock table and the four observability buckets.

``desired_spec`` says what should exist (names from :mod:`clientctl.naming`, lifecycle from
platform.yaml); ``plan`` reads what does exist and lists every change, each with the call that makes it;
``apply_plan`` runs them. A second run finds nothing to change. Hardening per docs/adr/ADR-003 and
docs/aws-operations.md: BPA (before any policy), BucketOwnerEnforced, AES256, versioning,
TLS-only policy, access logging to the logs bucket (delivery granted by bucket policy, not ACL),
lifecycle per bucket type with noncurrent-version expiry and incomplete-upload abort; lock table with
LockID, on-demand billing, SSE, point-in-time recovery and deletion protection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clientctl import naming
from clientctl.aws.errors import error_code, is_access_denied, is_missing_bucket, is_missing_table
from clientctl.aws.policy import document as policy_document
from clientctl.aws.policy import statements
from clientctl.errors import ClientctlError, ConfigError
from clientctl.registry.models import BackendSettings, ObservabilityStorage

STATE_KIND = "backend-state"
KINDS: tuple[str, ...] = (*naming.OBSERVABILITY_TYPES, STATE_KIND)
LOG_PREFIX = "s3-access-logs"
TLS_SID = "DenyInsecureTransport"
LOG_SID = "AllowS3ServerAccessLogDelivery"
RETENTION_RULE = "clientctl-retention"
HOUSEKEEPING_RULE = "clientctl-noncurrent-versions-and-uploads"
SMALL_OBJECTS = "varies_by_storage_class"


@dataclass(frozen=True)
class BucketSpec:
    name: str
    kind: str
    region: str
    lifecycle: tuple[dict[str, Any], ...]
    min_object_size: str | None
    log_target: str | None  # None: this bucket is the access-log target (it cannot log to itself)
    object_lock: bool
    tags: dict[str, str]

    @property
    def log_prefix(self) -> str:
        return f"{LOG_PREFIX}/{self.name}/"


@dataclass(frozen=True)
class TableSpec:
    name: str
    region: str
    tags: dict[str, str]


@dataclass(frozen=True)
class BackendSpec:
    project: str
    region: str
    environment: str
    buckets: tuple[BucketSpec, ...]
    table: TableSpec | None
    log_bucket: str

    def bucket(self, name: str) -> BucketSpec | None:
        return next((b for b in self.buckets if b.name == name), None)


def lifecycle_rules(
    kind: str, storage: ObservabilityStorage, backend: BackendSettings
) -> tuple[tuple[dict[str, Any], ...], str | None]:
    """Lifecycle rules (boto3 shape) and TransitionDefaultMinimumObjectSize for one bucket type."""
    rules: list[dict[str, Any]] = []
    min_size: str | None = None
    noncurrent = storage.noncurrent_version_expire_days
    if kind == STATE_KIND:
        noncurrent = backend.state_noncurrent_version_expire_days
    else:
        settings = getattr(storage, kind.replace("-", "_"))
        retention: dict[str, Any] = {"ID": RETENTION_RULE, "Status": "Enabled", "Filter": {"Prefix": ""}}
        if settings.transition_to_glacier_days:
            retention["Transitions"] = [{"Days": settings.transition_to_glacier_days, "StorageClass": "GLACIER"}]
            # Log objects are small: with the default (all_storage_classes_128K) objects under 128 KB
            # never transition (reference §1.4).
            min_size = SMALL_OBJECTS
        if settings.expire_days:
            retention["Expiration"] = {"Days": settings.expire_days}
        if len(retention) > 3:
            rules.append(retention)
    rules.append(
        {
            "ID": HOUSEKEEPING_RULE,
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": storage.abort_incomplete_multipart_days},
        }
    )
    return tuple(rules), min_size


def desired_spec(
    *,
    project: str,
    region: str,
    environment: str,
    region_short: str,
    storage: ObservabilityStorage,
    backend: BackendSettings,
    managed_by: str = "clientctl",
    include_backend: bool = True,
    include_observability: bool = True,
) -> BackendSpec:
    buckets: list[BucketSpec] = []
    obs = naming.observability_buckets(project, region, environment)
    log_bucket = obs["logs"]
    base_tags = {"Project": project, "Environment": environment, "ManagedBy": managed_by}
    if include_observability:
        for kind, name in obs.items():  # logs first: it is the access-log target of the others
            rules, min_size = lifecycle_rules(kind, storage, backend)
            buckets.append(
                BucketSpec(
                    name=name,
                    kind=kind,
                    region=region,
                    lifecycle=rules,
                    min_object_size=min_size,
                    log_target=None if name == log_bucket else log_bucket,
                    object_lock=kind == "audit-logs",
                    tags={**base_tags, "Purpose": f"observability-{kind}"},
                )
            )
    table = None
    if include_backend:
        rules, min_size = lifecycle_rules(STATE_KIND, storage, backend)
        buckets.append(
            BucketSpec(
                name=naming.state_bucket(project, environment),
                kind=STATE_KIND,
                region=region,
                lifecycle=rules,
                min_object_size=min_size,
                log_target=log_bucket,
                object_lock=False,
                tags={**base_tags, "Purpose": "terraform-state"},
            )
        )
        table = TableSpec(naming.lock_table(region_short), region, {**base_tags, "Purpose": "terraform-locks"})
    for bucket in buckets:
        problem = naming.check_name("s3_bucket", bucket.name)
        if problem:
            raise ConfigError(problem, hint="shorten --project-name or the environment name")
    return BackendSpec(project, region, environment, tuple(buckets), table, log_bucket)


# ---------------------------------------------------------------------------------------------------
# Desired settings and their canonical forms (shared with the audit)
# ---------------------------------------------------------------------------------------------------

BPA_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def tls_statement(bucket: str, partition: str = "aws") -> dict[str, Any]:
    return {
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def log_delivery_statement(bucket: str, account: str, project: str, partition: str = "aws") -> dict[str, Any]:
    return {
        "Sid": LOG_SID,
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:{partition}:s3:::{bucket}/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:s3:::{project}-*"},
            "StringEquals": {"aws:SourceAccount": account},
        },
    }


def our_statements(spec: BucketSpec, account: str, project: str) -> list[dict[str, Any]]:
    statements = [tls_statement(spec.name)]
    if spec.log_target is None:
        statements.append(log_delivery_statement(spec.name, account, project))
    return statements


def canonical_rules(rules: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The parts of lifecycle rules clientctl manages, in a form that survives an AWS round trip."""
    out = []
    for rule in rules:
        flt = rule.get("Filter", {})
        prefix = rule.get("Prefix", flt.get("Prefix", "") if isinstance(flt, dict) else "")
        out.append(
            {
                "id": rule.get("ID"),
                "status": rule.get("Status"),
                "prefix": prefix or "",
                "filtered": bool(isinstance(flt, dict) and set(flt) - {"Prefix"}),
                "transitions": sorted((t.get("Days"), t.get("StorageClass")) for t in rule.get("Transitions", [])),
                "expiration": rule.get("Expiration", {}).get("Days"),
                "noncurrent": rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
                "abort_mpu": rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation"),
            }
        )
    return sorted(out, key=lambda r: str(r["id"]))


# ---------------------------------------------------------------------------------------------------
# Plan
# ---------------------------------------------------------------------------------------------------


@dataclass
class Change:
    resource: str
    setting: str
    current: str
    desired: str
    run: Callable[[], None] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, str]:
        return {"resource": self.resource, "setting": self.setting, "current": self.current, "desired": self.desired}


@dataclass
class Plan:
    spec: BackendSpec
    account: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # resource -> create | repair | ok

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "resources": self.status,
            "changes": [c.to_dict() for c in self.changes],
            "notes": self.notes,
        }


NOT_CONFIGURED = {
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
    "OwnershipControlsNotFoundError",
    "ObjectLockConfigurationNotFoundError",
    "NoSuchLifecycleConfiguration",
    "ReplicationConfigurationNotFoundError",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchTagSet",
}


def read_or_none(call: Callable[[], Any]) -> Any:
    """Call a Get*; None when the setting is simply not configured, anything else propagates."""
    try:
        return call()
    except Exception as exc:
        if error_code(exc) in NOT_CONFIGURED:
            return None
        raise


def bucket_exists(s3: Any, bucket: str, account: str) -> bool:
    """True if ``bucket`` exists and is ours; False if absent; ConfigError if someone else owns it."""
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        return True
    except Exception as exc:
        if is_missing_bucket(exc):
            return False
        if is_access_denied(exc):
            raise ConfigError(
                f"bucket {bucket} exists but belongs to another account (or denies you access)",
                hint="S3 bucket names are global: choose another --project-name, or use the owning account",
            ) from exc
        raise


def _bucket_changes(
    s3: Any, spec: BucketSpec, account: str, project: str, exists: bool, log_target_ready: bool
) -> tuple[list[Change], list[str]]:
    name = spec.name
    changes: list[Change] = []
    notes: list[str] = []

    def add(setting: str, current: str, desired: str, run: Callable[[], None]) -> None:
        changes.append(Change(name, setting, current, desired, run))

    if not exists:

        def create() -> None:
            kwargs: dict[str, Any] = {"Bucket": name, "ObjectOwnership": "BucketOwnerEnforced"}
            if spec.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": spec.region}
            if spec.object_lock:
                kwargs["ObjectLockEnabledForBucket"] = True
            try:
                s3.create_bucket(**kwargs)
            except Exception as exc:
                code = error_code(exc)
                if code == "BucketAlreadyExists":
                    raise ConfigError(
                        f"bucket name {name} is taken by another AWS account",
                        hint="S3 bucket names are global: choose another --project-name",
                    ) from exc
                if code != "BucketAlreadyOwnedByYou":
                    raise

        extra = ", Object Lock enabled" if spec.object_lock else ""
        add("bucket", "absent", f"create in {spec.region}{extra}", create)
        current: dict[str, Any] = {}
    else:
        location = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
        if location != spec.region:
            raise ConfigError(
                f"bucket {name} exists in {location}, not {spec.region}",
                hint="a bucket cannot move: pass --region {location} or delete it first",
            )
        current = {
            "bpa": (read_or_none(lambda: s3.get_public_access_block(Bucket=name)) or {}).get(
                "PublicAccessBlockConfiguration", {}
            ),
            "ownership": read_or_none(lambda: s3.get_bucket_ownership_controls(Bucket=name)),
            "encryption": read_or_none(lambda: s3.get_bucket_encryption(Bucket=name)),
            "versioning": s3.get_bucket_versioning(Bucket=name).get("Status", "Disabled"),
            "policy": read_or_none(lambda: s3.get_bucket_policy(Bucket=name)),
            "lifecycle": read_or_none(lambda: s3.get_bucket_lifecycle_configuration(Bucket=name)),
            "logging": s3.get_bucket_logging(Bucket=name).get("LoggingEnabled"),
            "tags": read_or_none(lambda: s3.get_bucket_tagging(Bucket=name)),
            "lock": read_or_none(lambda: s3.get_object_lock_configuration(Bucket=name)),
        }
        if spec.object_lock:
            enabled = ((current["lock"] or {}).get("ObjectLockConfiguration") or {}).get("ObjectLockEnabled")
            if enabled != "Enabled":
                notes.append(
                    f"{name}: Object Lock is off; it can only be turned on by AWS support or "
                    "PutObjectLockConfiguration on a versioned bucket (not done automatically)"
                )

    bpa = current.get("bpa", {})
    off = [f for f in BPA_FLAGS if not bpa.get(f)]
    if off:
        add(
            "public-access-block",
            "off: " + ", ".join(off) if bpa else "absent",
            "all 4 flags on",
            lambda: s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration={f: True for f in BPA_FLAGS}
            ),
        )

    rules = ((current.get("ownership") or {}).get("OwnershipControls") or {}).get("Rules", [])
    ownership = rules[0].get("ObjectOwnership") if rules else None
    if exists and ownership != "BucketOwnerEnforced":
        add(
            "ownership-controls",
            str(ownership or "absent"),
            "BucketOwnerEnforced",
            lambda: s3.put_bucket_ownership_controls(
                Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
            ),
        )

    sse_rules = ((current.get("encryption") or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules", [])
    algorithm = sse_rules[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if sse_rules else None
    if algorithm != "AES256":
        add(
            "encryption",
            str(algorithm or "absent"),
            "AES256",
            lambda: s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            ),
        )

    versioning = current.get("versioning", "absent")
    if versioning != "Enabled":
        add(
            "versioning",
            str(versioning),
            "Enabled",
            lambda: s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"}),
        )

    policy_raw = (current.get("policy") or {}).get("Policy")
    try:
        existing = statements(policy_document(policy_raw))
    except ValueError:
        existing = []  # unreadable: replaced by ours
    ours = our_statements(spec, account, project)
    our_sids = {s["Sid"] for s in ours}
    by_sid = {s.get("Sid"): s for s in existing}
    missing = [s["Sid"] for s in ours if by_sid.get(s["Sid"]) != s]
    if missing:
        keep = [s for s in existing if s.get("Sid") not in our_sids]
        document = {"Version": "2012-10-17", "Statement": [*ours, *keep]}
        add(
            "bucket-policy",
            "missing/different: " + ", ".join(missing),
            ", ".join(s["Sid"] for s in ours) + (f" (+{len(keep)} statement(s) kept)" if keep else ""),
            lambda: s3.put_bucket_policy(Bucket=name, Policy=json.dumps(document)),
        )

    current_rules = (current.get("lifecycle") or {}).get("Rules", [])
    current_size = (current.get("lifecycle") or {}).get("TransitionDefaultMinimumObjectSize")
    ours_rules = canonical_rules(spec.lifecycle)
    ids = {r["id"] for r in ours_rules}
    kept_rules = [r for r in current_rules if r.get("ID") not in ids]
    ours_current = [r for r in canonical_rules(current_rules) if r["id"] in ids]
    size_drift = spec.min_object_size is not None and current_size != spec.min_object_size
    if ours_current != ours_rules or size_drift:

        def put_lifecycle() -> None:
            kwargs: dict[str, Any] = {
                "Bucket": name,
                "LifecycleConfiguration": {"Rules": [*spec.lifecycle, *kept_rules]},
            }
            if spec.min_object_size:
                kwargs["TransitionDefaultMinimumObjectSize"] = spec.min_object_size
            s3.put_bucket_lifecycle_configuration(**kwargs)

        summary = "; ".join(_describe_rule(r) for r in ours_rules)
        if spec.min_object_size:
            summary += f"; small objects: {spec.min_object_size}"
        add("lifecycle", "absent" if not current_rules else "different", summary, put_lifecycle)

    if spec.log_target is not None:
        logging_now = current.get("logging") or {}
        wanted = {"TargetBucket": spec.log_target, "TargetPrefix": spec.log_prefix}
        if {k: logging_now.get(k) for k in wanted} != wanted:
            if log_target_ready:
                add(
                    "access-logging",
                    logging_now.get("TargetBucket", "off"),
                    f"s3://{spec.log_target}/{spec.log_prefix}",
                    lambda: s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": wanted}),
                )
            else:
                notes.append(
                    f"{name}: access logging not set: the log bucket {spec.log_target} does not exist "
                    "(provision the observability buckets, then run again)"
                )

    tag_now = {t["Key"]: t["Value"] for t in (current.get("tags") or {}).get("TagSet", [])}
    if any(tag_now.get(k) != v for k, v in spec.tags.items()):
        merged = {**tag_now, **spec.tags}
        add(
            "tags",
            ",".join(sorted(tag_now)) or "none",
            ",".join(f"{k}={v}" for k, v in sorted(spec.tags.items())),
            lambda: s3.put_bucket_tagging(
                Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in sorted(merged.items())]}
            ),
        )
    return changes, notes


def _describe_rule(rule: dict[str, Any]) -> str:
    parts = []
    for days, cls in rule["transitions"]:
        parts.append(f"{cls} after {days}d")
    if rule["expiration"]:
        parts.append(f"expire after {rule['expiration']}d")
    if rule["noncurrent"]:
        parts.append(f"noncurrent versions expire after {rule['noncurrent']}d")
    if rule["abort_mpu"]:
        parts.append(f"abort incomplete uploads after {rule['abort_mpu']}d")
    return ", ".join(parts)


def _table_changes(ddb: Any, spec: TableSpec) -> tuple[list[Change], str]:
    name = spec.name
    changes: list[Change] = []

    def add(setting: str, current: str, desired: str, run: Callable[[], None]) -> None:
        changes.append(Change(name, setting, current, desired, run))

    try:
        table = ddb.describe_table(TableName=name)["Table"]
    except Exception as exc:
        if not is_missing_table(exc):
            raise
        table = None
    if table is None:

        def create() -> None:
            ddb.create_table(
                TableName=name,
                AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
                SSESpecification={"Enabled": True},
                DeletionProtectionEnabled=True,
                Tags=[{"Key": k, "Value": v} for k, v in sorted(spec.tags.items())],
            )
            ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

        add("table", "absent", "LockID (S) hash key, PAY_PER_REQUEST, SSE, deletion protection", create)
        add("point-in-time-recovery", "absent", "ENABLED", lambda: _enable_pitr(ddb, name))
        return changes, "create"
    keys = [(k["AttributeName"], k["KeyType"]) for k in table.get("KeySchema", [])]
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    if keys != [("LockID", "HASH")] or types.get("LockID") != "S":
        raise ConfigError(
            f"lock table {name} exists with key schema {keys}; Terraform needs a String hash key LockID",
            hint="this cannot be repaired in place: delete the table (when no lock is held) and provision again",
        )
    billing = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    if billing != "PAY_PER_REQUEST":
        add(
            "billing-mode",
            billing,
            "PAY_PER_REQUEST",
            lambda: ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST"),
        )
    sse = (table.get("SSEDescription") or {}).get("Status")
    if sse not in {"ENABLED", "ENABLING"}:
        add(
            "encryption",
            str(sse or "absent"),
            "ENABLED",
            lambda: ddb.update_table(TableName=name, SSESpecification={"Enabled": True}),
        )
    if not table.get("DeletionProtectionEnabled"):
        add(
            "deletion-protection", "off", "on", lambda: ddb.update_table(TableName=name, DeletionProtectionEnabled=True)
        )
    backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    pitr = (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    if pitr != "ENABLED":
        add("point-in-time-recovery", str(pitr or "absent"), "ENABLED", lambda: _enable_pitr(ddb, name))
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", [])}
    missing = {k: v for k, v in spec.tags.items() if tags.get(k) != v}
    if missing:
        add(
            "tags",
            ",".join(sorted(tags)) or "none",
            ",".join(f"{k}={v}" for k, v in sorted(spec.tags.items())),
            lambda: ddb.tag_resource(
                ResourceArn=table["TableArn"], Tags=[{"Key": k, "Value": v} for k, v in sorted(missing.items())]
            ),
        )
    return changes, "repair" if changes else "ok"


def _enable_pitr(ddb: Any, name: str) -> None:
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def _account_changes(s3control: Any, account: str) -> list[Change]:
    """Account-level Public Access Block (A2, SH S3.1): all four flags on."""
    try:
        config = s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
    except Exception as exc:
        if error_code(exc) not in NOT_CONFIGURED:
            raise
        config = {}
    off = [f for f in BPA_FLAGS if not config.get(f)]
    if not off:
        return []
    return [
        Change(
            f"account {account}",
            "account-public-access-block",
            "off: " + ", ".join(off) if config else "absent",
            "all 4 flags on",
            lambda: s3control.put_public_access_block(
                AccountId=account, PublicAccessBlockConfiguration={f: True for f in BPA_FLAGS}
            ),
        )
    ]


def plan(spec: BackendSpec, s3: Any, ddb: Any, account: str, s3control: Any = None) -> Plan:
    """Read the current state (read-only calls) and list every change needed."""
    result = Plan(spec, account)
    if s3control is not None:
        result.changes += _account_changes(s3control, account)
        result.status[f"account {account}"] = "repair" if result.changes else "ok"
    exists = {b.name: bucket_exists(s3, b.name, account) for b in spec.buckets}
    log_ready = exists.get(spec.log_bucket) or spec.bucket(spec.log_bucket) is not None
    if spec.log_bucket not in exists:
        log_ready = bucket_exists(s3, spec.log_bucket, account)
    for bucket in spec.buckets:
        changes, notes = _bucket_changes(s3, bucket, account, spec.project, exists[bucket.name], bool(log_ready))
        result.changes += changes
        result.notes += notes
        result.status[bucket.name] = "create" if not exists[bucket.name] else ("repair" if changes else "ok")
    if spec.table is not None:
        changes, state = _table_changes(ddb, spec.table)
        result.changes += changes
        result.status[spec.table.name] = state
    return result


def apply_plan(result: Plan, progress: Callable[[str], None] = lambda _m: None) -> list[Change]:
    done: list[Change] = []
    for change in result.changes:
        progress(f"{change.resource}: {change.setting} -> {change.desired}")
        try:
            change.run()
        except ClientctlError:
            raise
        except Exception as exc:
            raise ClientctlError(
                f"{change.resource}: setting {change.setting} failed: {error_code(exc)}: {exc}",
                hint=f"{len(done)} change(s) were applied before this one; fix the cause and run again "
                "(provisioning is idempotent)",
            ) from exc
        done.append(change)
    return done
