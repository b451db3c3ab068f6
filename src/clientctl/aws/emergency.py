"""Emergency cleanup: find out why a bucket cannot be deleted, fix only that, then destroy it.

``diagnose`` is read-only; each :class:`Issue` says what blocks deletion, and carries the fix when one
can be applied safely from here (``fix`` is None when a human must act, e.g. MFA delete, COMPLIANCE
retention). Buckets too large to empty by API get a lifecycle "expire everything" rule instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clientctl.aws.policy import bucket_policy, covers, statements
from clientctl.aws.s3_destroy import Inventory, inventory, list_uploads

LARGE_BUCKET_VERSIONS = 5_000_000


@dataclass
class Issue:
    id: str
    detail: str
    remedy: str
    fix: Callable[[], None] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "detail": self.detail, "remedy": self.remedy, "auto_fix": self.fix is not None}


@dataclass
class Diagnosis:
    bucket: str
    inventory: Inventory
    issues: list[Issue]
    bypass_governance: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "inventory": self.inventory.to_dict(),
            "issues": [i.to_dict() for i in self.issues],
        }


def expire_everything_rule(days: int = 1) -> dict[str, Any]:
    return {
        "Rules": [
            {
                "ID": "clientctl-emergency-expire-all",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "Expiration": {"Days": days},
                "NoncurrentVersionExpiration": {"NoncurrentDays": days},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
            }
        ]
    }


def diagnose(
    s3: Any, bucket: str, *, account: str | None = None, large_threshold: int = LARGE_BUCKET_VERSIONS
) -> Diagnosis:
    inv = inventory(s3, bucket, account=account)
    issues: list[Issue] = []
    result = Diagnosis(bucket, inv, issues)
    if not inv.exists:
        return result
    try:
        policy = bucket_policy(s3, bucket)
    except ValueError:
        policy = None  # unreadable JSON denies nothing we could name
    denying = [
        s
        for s in statements(policy)
        if s.get("Effect") == "Deny"
        and (covers(s, "s3:DeleteObject") or covers(s, "s3:DeleteBucket"))
        and not _only_insecure_transport(s)
    ]
    if denying:
        sids = ", ".join(str(s.get("Sid") or "unnamed") for s in denying)
        issues.append(
            Issue(
                "policy-deny",
                f"bucket policy denies deletes ({sids})",
                "delete the bucket policy (the owning account's root can always do this)",
                lambda: s3.delete_bucket_policy(Bucket=bucket),
            )
        )
    if inv.mfa_delete:
        issues.append(
            Issue(
                "mfa-delete",
                "MFA delete is enabled: every versioned delete needs the root MFA token",
                "as root with MFA: aws s3api put-bucket-versioning --bucket "
                f"{bucket} --versioning-configuration Status=Enabled,MFADelete=Disabled --mfa 'SERIAL CODE'",
            )
        )
    holds = [lv for lv in inv.locked if lv.legal_hold]
    if holds:

        def release() -> None:
            for lv in holds:
                s3.put_object_legal_hold(
                    Bucket=bucket, Key=lv.key, VersionId=lv.version_id, LegalHold={"Status": "OFF"}
                )

        issues.append(
            Issue(
                "legal-hold",
                f"{len(holds)} version(s) under legal hold",
                "switch the legal holds OFF (needs s3:PutObjectLegalHold)",
                release,
            )
        )
    governance = [lv for lv in inv.locked if lv.mode == "GOVERNANCE"]
    if governance:

        def bypass() -> None:
            result.bypass_governance = True

        issues.append(
            Issue(
                "governance-retention",
                f"{len(governance)} version(s) in GOVERNANCE retention "
                f"(latest until {max(str(lv.retain_until) for lv in governance)})",
                "delete with BypassGovernanceRetention (needs s3:BypassGovernanceRetention)",
                bypass,
            )
        )
    compliance = [lv for lv in inv.locked if lv.mode == "COMPLIANCE"]
    if compliance:
        until = max(str(lv.retain_until) for lv in compliance)
        issues.append(
            Issue(
                "compliance-retention",
                f"{len(compliance)} version(s) in COMPLIANCE retention until {until}: nobody can delete them",
                f"wait until {until}; meanwhile a lifecycle expiry rule removes them when allowed",
            )
        )
    if inv.uploads:

        def abort() -> None:
            for upload in list_uploads(s3, bucket):
                s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])

        issues.append(Issue("incomplete-uploads", f"{inv.uploads} incomplete multipart upload(s)", "abort them", abort))
    if inv.replication_rules:
        issues.append(
            Issue(
                "replication",
                f"{inv.replication_rules} replication rule(s) keep writing",
                "delete the replication configuration",
                lambda: s3.delete_bucket_replication(Bucket=bucket),
            )
        )
    if inv.versions + inv.delete_markers >= large_threshold:
        issues.append(
            Issue(
                "too-large",
                f"{inv.versions + inv.delete_markers} versions: emptying by API is slow and costs requests",
                "apply a lifecycle rule that expires everything after 1 day, rerun when S3 has emptied the bucket",
                lambda: s3.put_bucket_lifecycle_configuration(
                    Bucket=bucket, LifecycleConfiguration=expire_everything_rule()
                ),
            )
        )
    return result


def _only_insecure_transport(stmt: dict[str, Any]) -> bool:
    """A TLS-only deny does not block deletes made over HTTPS."""
    condition = stmt.get("Condition") or {}
    return any(
        op.lower() in {"bool", "boolifexists"} and any(k.lower() == "aws:securetransport" for k in body)
        for op, body in condition.items()
        if isinstance(body, dict)
    )
