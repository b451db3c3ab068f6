"""S3 and lock-table security audit (docs/aws-operations.md 's3 verify: the checks', A1-A20).

Checks are data (:data:`CHECKS`): id, severity, description, remedy, the facts they need and a function
over the collected :class:`BucketFacts`. Facts are read once per bucket; a "not configured" answer is a
fact (None), any other API error is recorded and every check that needs that fact reports ERROR - never
a silent pass (A20). Buckets are audited concurrently.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from clientctl.aws.backend import (
    BPA_FLAGS,
    NOT_CONFIGURED,
    SMALL_OBJECTS,
    STATE_KIND,
    BucketSpec,
    canonical_rules,
)
from clientctl.aws.errors import error_code, is_missing_bucket, is_missing_table
from clientctl.aws.policy import (
    actions,
    as_list,
    bucket_policy,
    condition_keys,
    covers,
    has_public_principal,
    is_public,
    principals,
    statements,
)
from clientctl.aws.policy import document as policy_document

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions")
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl")
S36_ACTIONS = (
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class AuditFinding:
    bucket: str
    check: str
    severity: str
    status: str  # PASS | FAIL | ERROR
    detail: str
    remedy: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def counts(self, min_severity: str) -> bool:
        return self.status != "PASS" and severity_rank(self.severity) >= severity_rank(min_severity)


@dataclass
class BucketFacts:
    name: str
    account: str
    spec: BucketSpec | None
    s3: Any
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        return self.spec.kind if self.spec else None

    def policy(self) -> dict[str, Any] | None:
        try:
            return policy_document((self.data.get("policy") or {}).get("Policy"))
        except ValueError:
            return {"Statement": []}  # a policy that says nothing readable grants and denies nothing


class NotApplicable(Exception):
    """The check does not apply to this bucket (reported as PASS with the reason)."""


CheckResult = tuple[bool, str]


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    description: str
    remedy: str
    needs: tuple[str, ...]
    run: Callable[[BucketFacts], CheckResult]
    severity_for: Callable[[BucketFacts], str] | None = None


# --- policy statements: parsing and the meaning of "public" live in clientctl.aws.policy ---


def _public_allows(facts: BucketFacts, wanted: tuple[str, ...]) -> list[str]:
    found = []
    for stmt in statements(facts.policy()):
        if stmt.get("Effect") == "Allow" and is_public(stmt):
            hits = [a for a in wanted if covers(stmt, a)]
            if hits:
                found.append(f"{_sid(stmt)} allows {', '.join(hits)} to everyone{_unrestricted(stmt)}")
    return found


def _sid(stmt: dict[str, Any]) -> str:
    return f"statement {stmt['Sid']!r}" if stmt.get("Sid") else "a statement without Sid"


def _unrestricted(stmt: dict[str, Any]) -> str:
    """Why a conditional grant to everyone still counts as public (AWS's definition, clientctl.aws.policy)."""
    if not stmt.get("Condition"):
        return ""
    return f" (its condition {json.dumps(stmt['Condition'], sort_keys=True)} pins no fixed value)"


def _public_grants(facts: BucketFacts, permissions: set[str]) -> list[str]:
    found = []
    for grant in (facts.data.get("acl") or {}).get("Grants", []):
        uri = grant.get("Grantee", {}).get("URI")
        if uri in PUBLIC_GROUPS and grant.get("Permission") in permissions:
            found.append(f"ACL grants {grant['Permission']} to {uri.rsplit('/', 1)[-1]}")
    return found


def _bool_false(value: Any) -> bool:
    return any(str(v).lower() == "false" for v in as_list(value))


# --- the checks ---


def bpa(facts: BucketFacts) -> CheckResult:
    config = (facts.data.get("bpa") or {}).get("PublicAccessBlockConfiguration", {})
    off = [f for f in BPA_FLAGS if not config.get(f)]
    if not config:
        return False, "no Public Access Block configuration (all 4 flags off)"
    return (not off), ("all 4 settings on" if not off else "off: " + ", ".join(off))


def public_read(facts: BucketFacts) -> CheckResult:
    found = _public_allows(facts, READ_ACTIONS) + _public_grants(facts, {"READ", "FULL_CONTROL"})
    return (not found), "; ".join(found) or "no public read via policy or ACL"


def public_write(facts: BucketFacts) -> CheckResult:
    found = _public_allows(facts, WRITE_ACTIONS) + _public_grants(facts, {"WRITE", "WRITE_ACP", "FULL_CONTROL"})
    return (not found), "; ".join(found) or "no public write via policy or ACL"


def acl_public(facts: BucketFacts) -> CheckResult:
    found = _public_grants(facts, {"READ", "READ_ACP", "WRITE", "WRITE_ACP", "FULL_CONTROL"})
    return (not found), "; ".join(found) or "no ACL grants to AllUsers/AuthenticatedUsers"


def ownership(facts: BucketFacts) -> CheckResult:
    rules = ((facts.data.get("ownership") or {}).get("OwnershipControls") or {}).get("Rules", [])
    value = rules[0].get("ObjectOwnership") if rules else None
    return value == "BucketOwnerEnforced", f"ObjectOwnership {value or 'not set'}"


def tls_only(facts: BucketFacts) -> CheckResult:
    arn = f"arn:aws:s3:::{facts.name}"
    for stmt in statements(facts.policy()):
        if stmt.get("Effect") != "Deny" or not has_public_principal(stmt) or not covers(stmt, "s3:PutObject"):
            continue
        if not (covers(stmt, "s3:GetObject") and covers(stmt, "s3:ListBucket")):
            continue
        ok = False
        for op, body in (stmt.get("Condition") or {}).items():
            if op.lower() in {"bool", "boolifexists"} and isinstance(body, dict):
                ok = ok or any(k.lower() == "aws:securetransport" and _bool_false(v) for k, v in body.items())
        if not ok:
            continue
        resources = [str(r) for r in as_list(stmt.get("Resource"))]
        bucket_ok = any(fnmatch.fnmatchcase(arn, r) for r in resources)
        objects_ok = any(fnmatch.fnmatchcase(arn + "/key", r) for r in resources)
        if bucket_ok and objects_ok:
            return True, f"Deny s3:* when aws:SecureTransport=false ({stmt.get('Sid') or 'unnamed statement'})"
        return False, "TLS deny statement does not cover both the bucket and its objects"
    return False, "no Deny statement for aws:SecureTransport=false" if facts.policy() else "no bucket policy"


def encryption(facts: BucketFacts) -> CheckResult:
    rules = ((facts.data.get("encryption") or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules", [])
    if not rules:
        return False, "no default encryption configuration"
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {})
    algorithm = default.get("SSEAlgorithm")
    if algorithm == "AES256":
        return True, "AES256 (SSE-S3)"
    if algorithm in {"aws:kms", "aws:kms:dsse"}:
        key = default.get("KMSMasterKeyID", "aws/s3")
        bucket_key = "on" if rules[0].get("BucketKeyEnabled") else "off (every object calls KMS)"
        return True, f"{algorithm} key {key}, bucket key {bucket_key} (platform spec: AES256)"
    return False, f"unexpected algorithm {algorithm}"


def versioning(facts: BucketFacts) -> CheckResult:
    status = (facts.data.get("versioning") or {}).get("Status", "never enabled")
    return status == "Enabled", f"versioning {status}"


def access_logging(facts: BucketFacts) -> CheckResult:
    if facts.spec is not None and facts.spec.log_target is None:
        raise NotApplicable("this is the access-log target bucket; it cannot log to itself (SH S3.9 suppressed)")
    enabled = facts.data.get("logging") or {}
    target = enabled.get("TargetBucket")
    if not target:
        return False, "server access logging off"
    if target == facts.name:
        return False, "logs to itself (creates a log loop)"
    s3 = facts.s3
    try:
        location = s3.get_bucket_location(Bucket=target).get("LocationConstraint") or "us-east-1"
    except Exception as exc:
        if is_missing_bucket(exc):
            return False, f"target bucket {target} does not exist"
        raise
    own = facts.data.get("location")
    if own is not None and location != own:
        return False, f"target {target} is in {location}, the bucket in {own}"
    grants_delivery = False
    try:
        for stmt in statements(bucket_policy(s3, target)):
            if stmt.get("Effect") == "Allow" and "logging.s3.amazonaws.com" in principals(stmt).get("Service", []):
                grants_delivery = grants_delivery or covers(stmt, "s3:PutObject")
    except Exception as exc:
        if error_code(exc) not in NOT_CONFIGURED:
            raise
    if not grants_delivery:
        return False, f"target {target} does not grant logging.s3.amazonaws.com s3:PutObject"
    try:
        lock = s3.get_object_lock_configuration(Bucket=target)["ObjectLockConfiguration"]
        if lock.get("Rule", {}).get("DefaultRetention"):
            return False, f"target {target} has an Object Lock default retention (AWS will not deliver logs)"
    except Exception as exc:
        if error_code(exc) not in NOT_CONFIGURED:
            raise
    return True, f"logs to s3://{target}/{enabled.get('TargetPrefix', '')}"


def lifecycle(facts: BucketFacts) -> CheckResult:
    config = facts.data.get("lifecycle") or {}
    current = [r for r in canonical_rules(config.get("Rules", [])) if r["status"] == "Enabled"]
    if not current:
        return False, "no enabled lifecycle rule"
    missing: list[str] = []
    if facts.spec is not None:
        for want in canonical_rules(facts.spec.lifecycle):
            if not any(_rule_satisfies(have, want) for have in current):
                missing.append(_explain(want))
        if (
            facts.spec.min_object_size
            and config.get("TransitionDefaultMinimumObjectSize") != facts.spec.min_object_size
        ):
            missing.append(f"TransitionDefaultMinimumObjectSize {SMALL_OBJECTS} (small log objects never transition)")
    else:
        if not any(r["noncurrent"] for r in current):
            missing.append("noncurrent-version expiration")
        if not any(r["abort_mpu"] for r in current):
            missing.append("abort of incomplete multipart uploads")
    if missing:
        return False, "missing: " + "; ".join(missing)
    return True, f"{len(current)} enabled rule(s) match the {facts.kind or 'generic'} bucket policy"


def _rule_satisfies(have: dict[str, Any], want: dict[str, Any]) -> bool:
    if have["prefix"] or have["filtered"]:
        return False
    return all(have[k] == want[k] for k in ("transitions", "expiration", "noncurrent", "abort_mpu") if want[k])


def _explain(rule: dict[str, Any]) -> str:
    parts = [f"{cls} after {days}d" for days, cls in rule["transitions"]]
    if rule["expiration"]:
        parts.append(f"expire after {rule['expiration']}d")
    if rule["noncurrent"]:
        parts.append(f"noncurrent versions expire after {rule['noncurrent']}d")
    if rule["abort_mpu"]:
        parts.append(f"abort uploads after {rule['abort_mpu']}d")
    return ", ".join(parts)


_ACCOUNT = re.compile(r"^(?:arn:[^:]+:iam::)?(\d{12})(?::|$)")


def cross_account(facts: BucketFacts) -> CheckResult:
    found = []
    for stmt in statements(facts.policy()):
        if stmt.get("Effect") != "Allow":
            continue
        if is_public(stmt):
            found.append(
                f"{_sid(stmt)} allows {', '.join(actions(stmt)) or 'actions'} to any account{_unrestricted(stmt)}"
            )
            continue
        for principal in principals(stmt).get("AWS", []):
            match = _ACCOUNT.match(principal)
            if match and match.group(1) != facts.account:
                dangerous = [a for a in S36_ACTIONS if covers(stmt, a)]
                extra = f" including {', '.join(dangerous)}" if dangerous else ""
                found.append(f"account {match.group(1)} is allowed {', '.join(actions(stmt)) or 'actions'}{extra}")
    return (not found), "; ".join(found) or "no grants to other accounts"


def lockout(facts: BucketFacts) -> CheckResult:
    for stmt in statements(facts.policy()):
        if stmt.get("Effect") != "Deny" or not covers(stmt, "s3:PutBucketPolicy"):
            continue
        not_principal = principals({"Principal": stmt.get("NotPrincipal")}).get("AWS", [])
        if not_principal and all(p.endswith(":root") for p in not_principal):
            return False, f"{stmt.get('Sid') or 'statement'} denies everyone but the root user"
        keys = condition_keys(stmt)
        if has_public_principal(stmt) and keys and keys <= {"aws:principalarn", "aws:userid", "aws:principalaccount"}:
            values = json.dumps(stmt.get("Condition"))
            if ":root" in values and "role/" not in values and "user/" not in values:
                return False, f"{stmt.get('Sid') or 'statement'} denies everyone but the root user"
    return True, "no statement locks out all but root"


def request_metrics(facts: BucketFacts) -> CheckResult:
    configs = (facts.data.get("metrics") or {}).get("MetricsConfigurationList", [])
    whole = [c["Id"] for c in configs if not c.get("Filter")]
    if whole:
        return True, f"request metrics for the whole bucket ({whole[0]})"
    return False, "no CloudWatch request-metrics configuration for the whole bucket"


def mfa_delete(facts: BucketFacts) -> CheckResult:
    status = (facts.data.get("versioning") or {}).get("MFADelete", "Disabled")
    has_lifecycle = bool((facts.data.get("lifecycle") or {}).get("Rules"))
    suffix = " (n/a: MFA delete cannot be used with a lifecycle configuration)" if has_lifecycle else ""
    raise NotApplicable(f"report only: MFA delete {status}{suffix}")


def object_lock(facts: BucketFacts) -> CheckResult:
    config = (facts.data.get("lock") or {}).get("ObjectLockConfiguration") or {}
    enabled = config.get("ObjectLockEnabled") == "Enabled"
    retention = (config.get("Rule") or {}).get("DefaultRetention")
    detail = f"Object Lock {'enabled' if enabled else 'off'}" + (
        f", default retention {retention}" if retention else ""
    )
    if facts.kind != "audit-logs":
        raise NotApplicable(f"report only: {detail}")
    return enabled, detail


def replication(facts: BucketFacts) -> CheckResult:
    rules = ((facts.data.get("replication") or {}).get("ReplicationConfiguration") or {}).get("Rules", [])
    raise NotApplicable(f"report only: {len(rules)} replication rule(s)" if rules else "report only: no replication")


def notifications(facts: BucketFacts) -> CheckResult:
    config = {k: v for k, v in (facts.data.get("notification") or {}).items() if k != "ResponseMetadata" and v}
    raise NotApplicable(f"report only: event notifications {', '.join(config) if config else 'none'}")


def _versioning_severity(facts: BucketFacts) -> str:
    return "high" if facts.kind == STATE_KIND else "medium"


CHECKS: tuple[Check, ...] = (
    Check(
        "s3.public-access-block",
        "high",
        "Bucket Public Access Block: all 4 flags on (A1, SH S3.8)",
        "clientctl backend provision (or put-public-access-block with all four flags true)",
        ("bpa",),
        bpa,
    ),
    Check(
        "s3.public-read",
        "critical",
        "No public read via bucket policy or ACL (A3, SH S3.2)",
        "remove the Allow for Principal * (or add a restricting condition) and the public ACL grant",
        ("policy", "acl"),
        public_read,
    ),
    Check(
        "s3.public-write",
        "critical",
        "No public write via bucket policy or ACL (A4, SH S3.3)",
        "remove the public write statement / ACL grant now",
        ("policy", "acl"),
        public_write,
    ),
    Check(
        "s3.acl-public-grants",
        "critical",
        "No ACL grants to AllUsers/AuthenticatedUsers (A5)",
        "put-bucket-acl --acl private, then enforce BucketOwnerEnforced",
        ("acl",),
        acl_public,
    ),
    Check(
        "s3.ownership-controls",
        "medium",
        "Object ownership BucketOwnerEnforced: ACLs disabled (A6, SH S3.12)",
        "put-bucket-ownership-controls ObjectOwnership=BucketOwnerEnforced",
        ("ownership",),
        ownership,
    ),
    Check(
        "s3.tls-only",
        "medium",
        "Policy denies s3:* when aws:SecureTransport=false (A7, SH S3.5)",
        "clientctl backend provision adds the DenyInsecureTransport statement",
        ("policy",),
        tls_only,
    ),
    Check(
        "s3.default-encryption",
        "medium",
        "Default encryption configured, AES256 per spec (A8)",
        "put-bucket-encryption SSEAlgorithm=AES256",
        ("encryption",),
        encryption,
    ),
    Check(
        "s3.versioning",
        "medium",
        "Versioning Enabled; high for the state bucket (A9, SH S3.14)",
        "put-bucket-versioning Status=Enabled",
        ("versioning",),
        versioning,
        _versioning_severity,
    ),
    Check(
        "s3.access-logging",
        "medium",
        "Server access logging to a valid target (A10, SH S3.9)",
        "clientctl backend provision (logs go to the logs bucket under s3-access-logs/)",
        ("logging", "location"),
        access_logging,
    ),
    Check(
        "s3.lifecycle",
        "medium",
        "Lifecycle matches the bucket type, incl. noncurrent versions and uploads (A11)",
        "clientctl backend provision writes the lifecycle from platform.yaml",
        ("lifecycle",),
        lifecycle,
    ),
    Check(
        "s3.cross-account",
        "high",
        "No grants to other accounts in the bucket policy (A12, SH S3.6)",
        "remove statements naming other accounts, or document them",
        ("policy",),
        cross_account,
    ),
    Check(
        "s3.policy-lockout",
        "medium",
        "Policy does not lock out everyone but root (A13, CKV_AWS_93)",
        "as the root user, delete-bucket-policy and write a narrower one",
        ("policy",),
        lockout,
    ),
    Check(
        "s3.request-metrics",
        "info",
        "CloudWatch request metrics enabled (A14; clientctl only)",
        "put-bucket-metrics-configuration --id EntireBucket (billed as CloudWatch custom metrics)",
        ("metrics",),
        request_metrics,
    ),
    Check("s3.mfa-delete", "low", "MFA delete (A15, report only)", "", ("versioning", "lifecycle"), mfa_delete),
    Check(
        "s3.object-lock",
        "medium",
        "Object Lock on the audit-logs bucket (A16, SH S3.15)",
        "Object Lock must be enabled at creation (or via PutObjectLockConfiguration on a versioned bucket)",
        ("lock",),
        object_lock,
    ),
    Check("s3.replication", "low", "Replication (A17, report only)", "", ("replication",), replication),
    Check(
        "s3.event-notifications", "low", "Event notifications (A18, report only)", "", ("notification",), notifications
    ),
)


def _facts_calls(s3: Any, name: str) -> dict[str, Callable[[], Any]]:
    return {
        "location": lambda: s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1",
        "bpa": lambda: s3.get_public_access_block(Bucket=name),
        "policy": lambda: s3.get_bucket_policy(Bucket=name),
        "acl": lambda: s3.get_bucket_acl(Bucket=name),
        "ownership": lambda: s3.get_bucket_ownership_controls(Bucket=name),
        "encryption": lambda: s3.get_bucket_encryption(Bucket=name),
        "versioning": lambda: s3.get_bucket_versioning(Bucket=name),
        "logging": lambda: s3.get_bucket_logging(Bucket=name).get("LoggingEnabled"),
        "lifecycle": lambda: s3.get_bucket_lifecycle_configuration(Bucket=name),
        "metrics": lambda: s3.list_bucket_metrics_configurations(Bucket=name),
        "lock": lambda: s3.get_object_lock_configuration(Bucket=name),
        "replication": lambda: s3.get_bucket_replication(Bucket=name),
        "notification": lambda: s3.get_bucket_notification_configuration(Bucket=name),
    }


def collect(s3: Any, name: str, account: str, spec: BucketSpec | None) -> BucketFacts:
    facts = BucketFacts(name, account, spec, s3)
    for key, call in _facts_calls(s3, name).items():
        try:
            facts.data[key] = call()
        except Exception as exc:
            code = error_code(exc)
            if code in NOT_CONFIGURED:
                facts.data[key] = None
            else:
                facts.errors[key] = f"{code}: {exc}"
    return facts


def audit_bucket(s3: Any, name: str, account: str, spec: BucketSpec | None) -> list[AuditFinding]:
    facts = collect(s3, name, account, spec)
    findings = []
    for check in CHECKS:
        severity = check.severity_for(facts) if check.severity_for else check.severity
        failed = [k for k in check.needs if k in facts.errors]
        if failed:
            findings.append(
                AuditFinding(
                    name,
                    check.id,
                    severity,
                    "ERROR",
                    f"could not read {failed[0]}: {facts.errors[failed[0]]}",
                    "grant s3:Get* on the bucket to the auditing principal and rerun",
                )
            )
            continue
        try:
            ok, detail = check.run(facts)
        except NotApplicable as note:
            findings.append(AuditFinding(name, check.id, severity, "PASS", str(note)))
            continue
        except Exception as exc:
            findings.append(
                AuditFinding(
                    name,
                    check.id,
                    severity,
                    "ERROR",
                    f"{error_code(exc)}: {exc}",
                    "check access to the bucket (and its log target) and rerun",
                )
            )
            continue
        findings.append(
            AuditFinding(name, check.id, severity, "PASS" if ok else "FAIL", detail, "" if ok else check.remedy)
        )
    return findings


def audit_account(s3control: Any, account: str) -> AuditFinding:
    """A2: account-level Public Access Block, all 4 flags."""
    name, check, remedy = (
        "(account)",
        "s3.account-public-access-block",
        ("aws s3control put-public-access-block --account-id ACCOUNT with all four flags true"),
    )
    try:
        config = s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
    except Exception as exc:
        if error_code(exc) in NOT_CONFIGURED:
            return AuditFinding(name, check, "medium", "FAIL", "no account-level Public Access Block", remedy)
        return AuditFinding(
            name,
            check,
            "medium",
            "ERROR",
            f"{error_code(exc)}: {exc}",
            "grant s3:GetAccountPublicAccessBlock and rerun",
        )
    off = [f for f in BPA_FLAGS if not config.get(f)]
    return AuditFinding(
        name,
        check,
        "medium",
        "FAIL" if off else "PASS",
        "off: " + ", ".join(off) if off else "all 4 settings on",
        remedy if off else "",
    )


def audit_lock_table(ddb: Any, table: str) -> list[AuditFinding]:
    """A19: lock table exists with LockID (S) HASH, PAY_PER_REQUEST, SSE, PITR and deletion protection."""
    out: list[AuditFinding] = []

    def add(check: str, ok: bool, detail: str, remedy: str) -> None:
        out.append(AuditFinding(table, check, "medium", "PASS" if ok else "FAIL", detail, "" if ok else remedy))

    fix = "clientctl backend provision"
    try:
        desc = ddb.describe_table(TableName=table)["Table"]
    except Exception as exc:
        if is_missing_table(exc):
            add("dynamodb.exists", False, "lock table does not exist", fix)
        else:
            out.append(
                AuditFinding(
                    table,
                    "dynamodb.exists",
                    "medium",
                    "ERROR",
                    f"{error_code(exc)}: {exc}",
                    "grant dynamodb:DescribeTable and rerun",
                )
            )
        return out
    add("dynamodb.exists", True, f"table {desc.get('TableStatus', '')}", fix)
    keys = [(k["AttributeName"], k["KeyType"]) for k in desc.get("KeySchema", [])]
    types = {a["AttributeName"]: a["AttributeType"] for a in desc.get("AttributeDefinitions", [])}
    add(
        "dynamodb.key-schema",
        keys == [("LockID", "HASH")] and types.get("LockID") == "S",
        f"key schema {keys}",
        "recreate the table with a String hash key LockID (Terraform requires it)",
    )
    billing = (desc.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    add("dynamodb.billing", billing == "PAY_PER_REQUEST", f"billing {billing}", fix)
    sse = (desc.get("SSEDescription") or {}).get("Status")
    add("dynamodb.encryption", sse in {"ENABLED", "ENABLING"}, f"SSE {sse or 'default (AWS owned key)'}", fix)
    add(
        "dynamodb.deletion-protection",
        bool(desc.get("DeletionProtectionEnabled")),
        f"deletion protection {'on' if desc.get('DeletionProtectionEnabled') else 'off'}",
        fix,
    )
    try:
        backups = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        pitr = (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
        add("dynamodb.pitr", pitr == "ENABLED", f"point-in-time recovery {pitr}", fix)
    except Exception as exc:
        out.append(
            AuditFinding(
                table,
                "dynamodb.pitr",
                "medium",
                "ERROR",
                f"{error_code(exc)}: {exc}",
                "grant dynamodb:DescribeContinuousBackups and rerun",
            )
        )
    return out


def run_audit(
    s3: Any,
    s3control: Any,
    ddb: Any,
    account: str,
    buckets: list[tuple[str, BucketSpec | None]],
    table: str | None,
    *,
    workers: int = 8,
) -> list[AuditFinding]:
    findings: list[AuditFinding] = [audit_account(s3control, account)]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(buckets) or 1))) as pool:
        results = pool.map(lambda b: audit_bucket(s3, b[0], account, b[1]), buckets)
        for result in results:
            findings += result
    if table:
        findings += audit_lock_table(ddb, table)
    return findings
