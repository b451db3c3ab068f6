"""s3 verify / destroy / emergency-cleanup against the sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from clientctl.aws import s3_audit, s3_destroy
from clientctl.aws.session import CallRecorder

from .conftest import OBS, REGION, STATE, TABLE, Aws, provision, verify

TRACES = OBS["traces"]


def failing(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["bucket"], f["check"]) for f in report["findings"] if f["status"] != "PASS" and f["severity"] != "info"}


def test_verify_passes_on_provisioned_buckets(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    code, report = verify(aws)
    assert code == 0, failing(report)
    buckets = {f["bucket"] for f in report["findings"]}
    assert {STATE, *OBS.values(), TABLE} <= buckets


def _public_read(s3: Any) -> None:
    s3.put_bucket_policy(
        Bucket=TRACES,
        Policy=json.dumps(
            {
                "Statement": [
                    {
                        "Sid": "Public",
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": ["s3:GetObject"],
                        "Resource": f"arn:aws:s3:::{TRACES}/*",
                    }
                ]
            }
        ),
    )


def _cross_account(s3: Any) -> None:
    s3.put_bucket_policy(
        Bucket=TRACES,
        Policy=json.dumps(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                        "Action": "s3:PutBucketPolicy",
                        "Resource": f"arn:aws:s3:::{TRACES}",
                    }
                ]
            }
        ),
    )


def _public_acl(s3: Any) -> None:
    s3.put_bucket_ownership_controls(Bucket=TRACES, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.put_bucket_acl(Bucket=TRACES, ACL="public-read")


INJECTIONS = {
    "s3.public-access-block": lambda s3: s3.put_public_access_block(
        Bucket=TRACES,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    ),
    "s3.tls-only": lambda s3: s3.delete_bucket_policy(Bucket=TRACES),
    "s3.versioning": lambda s3: s3.put_bucket_versioning(
        Bucket=TRACES, VersioningConfiguration={"Status": "Suspended"}
    ),
    "s3.lifecycle": lambda s3: s3.delete_bucket_lifecycle(Bucket=TRACES),
    "s3.default-encryption": lambda s3: s3.delete_bucket_encryption(Bucket=TRACES),
    "s3.access-logging": lambda s3: s3.put_bucket_logging(Bucket=TRACES, BucketLoggingStatus={}),
    "s3.ownership-controls": lambda s3: s3.put_bucket_ownership_controls(
        Bucket=TRACES, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    ),
    "s3.public-read": _public_read,
    "s3.cross-account": _cross_account,
    "s3.acl-public-grants": _public_acl,
}


@pytest.mark.parametrize("check", sorted(INJECTIONS))
def test_verify_names_each_injected_misconfiguration(aws: Aws, check: str) -> None:
    assert provision(aws)[0] == 0
    INJECTIONS[check](aws.raw())
    code, report = verify(aws)
    assert code == 1
    assert (TRACES, check) in failing(report)


def test_verify_lock_table_pitr_off(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    aws.raw("dynamodb").update_continuous_backups(
        TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    code, report = verify(aws)
    assert code == 1 and (TABLE, "dynamodb.pitr") in failing(report)


def test_verify_min_severity_and_unknown_bucket(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    aws.raw().put_bucket_versioning(Bucket=TRACES, VersioningConfiguration={"Status": "Suspended"})
    assert verify(aws, "--min-severity", "high")[0] == 0
    code, out = aws.cli("s3", "verify", "--bucket", "no-such-bucket-here")
    assert code == 2 and "no-such-bucket-here" in out


def test_unexpected_api_error_is_an_error_finding_never_a_pass(aws: Aws) -> None:
    # In-process: the sandbox cannot be made to answer AccessDenied to one Get* call, so one call is faked.
    assert provision(aws)[0] == 0
    real = aws.target().client("s3")

    class Denying:
        def __getattr__(self, name: str) -> Any:
            if name == "get_public_access_block":

                def deny(**_kw: Any) -> Any:
                    raise botocore.exceptions.ClientError(
                        {"Error": {"Code": "AccessDenied", "Message": "denied"}}, "GetPublicAccessBlock"
                    )

                return deny
            return getattr(real, name)

    findings = s3_audit.audit_bucket(Denying(), TRACES, "123456789012", None)
    bpa = next(f for f in findings if f.check == "s3.public-access-block")
    assert bpa.status == "ERROR" and "AccessDenied" in bpa.detail


def test_request_metrics_check_with_stubber() -> None:
    # moto does not implement bucket metrics configurations (put is a no-op, list returns nothing): Stubber.
    import boto3

    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(s3) as stub:
        stub.add_response(
            "list_bucket_metrics_configurations",
            {"MetricsConfigurationList": [{"Id": "EntireBucket"}], "IsTruncated": False},
        )
        facts = s3_audit.BucketFacts("b", "1", None, s3, {"metrics": s3.list_bucket_metrics_configurations(Bucket="b")})
    assert s3_audit.request_metrics(facts)[0] is True
    assert s3_audit.request_metrics(s3_audit.BucketFacts("b", "1", None, s3, {"metrics": None}))[0] is False


def test_tls_policy_parser_accepts_terragrunt_principal_and_bool_values() -> None:
    policy = {
        "Statement": {
            "Effect": "Deny",
            "Principal": {"*": ["*"]},
            "Action": ["s3:*"],
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"BoolIfExists": {"aws:SecureTransport": False}},
        }
    }
    facts = s3_audit.BucketFacts("b", "1", None, None, {"policy": {"Policy": json.dumps(policy)}})
    assert s3_audit.tls_only(facts)[0] is True


def _fill(s3: Any, bucket: str, versions: int = 5) -> None:
    for i in range(versions):
        s3.put_object(Bucket=bucket, Key=f"k{i % 3}", Body=b"x" * i)
    s3.delete_object(Bucket=bucket, Key="k0")  # a delete marker
    s3.create_multipart_upload(Bucket=bucket, Key="upload")


def test_destroy_empties_versioned_bucket_with_markers_and_uploads(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    _fill(s3, TRACES)
    code, out = aws.cli("s3", "destroy", "--type", "traces", "--dry-run")
    assert code == 0 and "5 version(s), 1 delete marker(s)" in out and "1 incomplete upload(s)" in out
    assert any(b["Name"] == TRACES for b in s3.list_buckets()["Buckets"])
    code, out = aws.cli("s3", "destroy", "--type", "traces", "--force")
    assert code == 0, out
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert TRACES not in names and STATE in names and len(names) == 4
    assert aws.cli("s3", "destroy", "--type", "traces", "--force")[0] == 0  # rerun: already gone


def test_destroy_dry_run_makes_no_mutating_call(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    _fill(aws.raw(), TRACES)
    recorder = CallRecorder()
    inv = s3_destroy.inventory(aws.target(recorder).client("s3"), TRACES)
    assert inv.versions == 5 and inv.delete_markers == 1 and recorder.mutating == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "buckets"], "buckets"),
        (["--bucket", "someone-elses-bucket"], "not one of this platform's buckets"),
        ([], "--type or --bucket"),
    ],
)
def test_destroy_bad_input(aws: Aws, args: list[str], message: str) -> None:
    code, out = aws.cli("s3", "destroy", "--force", *args)
    assert code == 2 and message in out


def test_destroy_state_bucket_needs_confirmation_and_backup(aws: Aws, tmp_path: Path) -> None:
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    s3.put_object(Bucket=STATE, Key="env:/acme/state", Body=b'{"v": 4}')
    code, out = aws.cli("s3", "destroy", "--type", "backend-state")
    assert code == 2 and "no terminal" in out
    code, out = aws.cli("s3", "destroy", "--type", "backend-state", "--force", "--backup", "/proc/forbidden")
    assert code == 2 and "cannot write" in out
    assert any(b["Name"] == STATE for b in s3.list_buckets()["Buckets"])
    backup = tmp_path / "bk"
    code, out = aws.cli("s3", "destroy", "--type", "backend-state", "--force", "--backup", str(backup))
    assert code == 0, out
    assert (backup / STATE / "env:/acme/state").read_bytes() == b'{"v": 4}'
    manifest = json.loads((backup / f"{STATE}.clientctl-manifest.json").read_text())
    assert manifest["objects"][0]["size"] == 8


def test_object_locked_versions_are_reported_and_nothing_is_deleted(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    audit = OBS["audit-logs"]
    s3.put_object(Bucket=audit, Key="held", Body=b"1", ObjectLockLegalHoldStatus="ON")
    s3.put_object(Bucket=audit, Key="free", Body=b"2")
    code, out = aws.cli("s3", "destroy", "--type", "audit-logs", "--force")
    assert code == 1 and "locked: held" in out and "emergency-cleanup" in out
    assert len(s3.list_object_versions(Bucket=audit)["Versions"]) == 2
    code, out = aws.cli("s3", "emergency-cleanup", "--bucket", audit, "--force")
    assert code == 0 and "legal-hold" in out, out
    assert audit not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_endpoint_dying_mid_destroy_then_rerun_completes(aws: Aws) -> None:
    # Fault injected client-side (in-process wrapper around the real sandbox client): the 2nd DeleteObjects
    # call (first DeleteObjects) fails as if the endpoint died. Killing the shared server would break the other tests.
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    for i in range(30):
        s3.put_object(Bucket=TRACES, Key=f"k{i}", Body=b"x")
    real = aws.target().client("s3")
    calls = {"n": 0}

    class Dying:
        def __getattr__(self, name: str) -> Any:
            attr = getattr(real, name)
            if name != "delete_objects":
                return attr

            def delete_objects(**kw: Any) -> Any:
                calls["n"] += 1
                if calls["n"] == 1:
                    raise botocore.exceptions.EndpointConnectionError(endpoint_url="https://gone")
                return attr(**kw)

            return delete_objects

    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        s3_destroy.empty_bucket(Dying(), TRACES, s3_destroy.DestroyStats(TRACES), workers=1)
    stats = s3_destroy.destroy(real, TRACES)
    assert stats.bucket_deleted
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {STATE, *(v for v in OBS.values() if v != TRACES)}


def test_throttled_keys_are_retried() -> None:
    # moto never throttles: a fake client answers SlowDown for one key once, then succeeds.
    calls: list[list[str]] = []

    class Throttling:
        def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
            keys = [o["Key"] for o in Delete["Objects"]]
            calls.append(keys)
            if len(calls) == 1:
                return {"Errors": [{"Key": "b", "VersionId": "1", "Code": "SlowDown", "Message": "slow"}]}
            return {}

    stats = s3_destroy.DestroyStats("x")
    s3_destroy._delete_batch(
        Throttling(),
        "x",
        [{"Key": "a", "VersionId": "1"}, {"Key": "b", "VersionId": "1"}],
        stats,
        bypass_governance=False,
    )
    assert calls == [["a", "b"], ["b"]] and stats.deleted == 2 and stats.retries == 1 and not stats.errors


def test_emergency_cleanup_refused_after_fixes_says_what_was_already_changed(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13.7: fixes confirmed and applied, then a mistyped bucket name: the message lists what changed
    (not "nothing was done"), and a rerun continues. The prompts need a terminal, so the two confirmation
    helpers are replaced here: the fixes are approved and the typed bucket name is wrong."""
    from clientctl.cli import cmd_s3
    from clientctl.errors import ConfigError

    assert provision(aws)[0] == 0
    s3 = aws.raw()
    bucket = OBS["logs"]
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Statement": [
                    {
                        "Sid": "NoDelete",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:DeleteBucket",
                        "Resource": f"arn:aws:s3:::{bucket}",
                    }
                ]
            }
        ),
    )
    s3.create_multipart_upload(Bucket=bucket, Key="half")

    def mistyped(expected: str, prompt: str, **_options: object) -> None:
        raise ConfigError(f"confirmation did not match {expected!r}; nothing was done")

    monkeypatch.setattr(cmd_s3, "confirm", lambda *a, **k: None)
    monkeypatch.setattr(cmd_s3, "confirm_typed", mistyped)
    code, out = aws.cli("s3", "emergency-cleanup", "--bucket", bucket)
    assert code == 2
    assert "nothing was done" not in out
    assert "already applied: policy-deny, incomplete-uploads" in out and "still there" in out, out
    assert f"rerun `clientctl s3 emergency-cleanup --bucket {bucket}`" in out
    monkeypatch.undo()
    code, out = aws.cli("s3", "emergency-cleanup", "--bucket", bucket, "--force")
    assert code == 0, out
    assert "policy-deny" not in out.split("destroyed")[0]  # nothing left to fix on the rerun
    assert bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


# --- the summary line: info-level checks are counted apart, with the sandbox's reason ------------------

SUMMARY = re.compile(
    r"^(?P<passed>\d+) passed, (?P<failed>\d+) failed, (?P<errors>\d+) errors"
    r"(?:, (?P<info>\d+) info-level not met \((?P<detail>[^)]*)\))?; (?P<counted>\d+) at or above (?P<min>\w+)$",
    re.M,
)


def summary_line(out: str) -> re.Match[str]:
    found = list(SUMMARY.finditer(out))
    assert len(found) == 1, out
    return found[0]


def test_verify_summary_counts_info_apart_and_says_why_in_the_sandbox(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    code, report = verify(aws)
    findings = report["findings"]
    info = [f for f in findings if f["severity"] == "info" and f["status"] != "PASS"]
    assert code == 0 and {f["check"] for f in info} == {"s3.request-metrics"} and len(info) == 5
    code, out = aws.cli("s3", "verify", "--region", REGION)
    line = summary_line(out)
    assert code == 0
    assert int(line["passed"]) == sum(f["status"] == "PASS" for f in findings)
    assert (line["failed"], line["errors"], line["info"], line["counted"]) == ("0", "0", "5", "0")
    assert line["detail"] == "s3.request-metrics: moto keeps no request-metrics configuration"
    assert out.count("sandbox: moto keeps no request-metrics configuration") == 5
    assert report["summary"] == {"PASS": int(line["passed"]), "FAIL": 0, "ERROR": 0, "INFO": 5}
    assert report["info_not_met"] == {
        "s3.request-metrics": {"count": 5, "sandbox_gap": "moto keeps no request-metrics configuration"}
    }
    # asked to count info too, they are what fails
    code, out = aws.cli("s3", "verify", "--region", REGION, "--min-severity", "info")
    line = summary_line(out)
    assert code == 1 and (line["failed"], line["info"], line["counted"], line["min"]) == ("0", "5", "5", "info")


def test_verify_gives_no_sandbox_reason_for_another_endpoint(aws: Aws) -> None:
    """Plain moto (not the clientctl sandbox) stores no request metrics either, but the code cannot tell it
    is a sandbox gap, so the summary names the check without the reason."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        s3 = boto3.client(
            "s3", endpoint_url=url, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        for name in (*OBS.values(), STATE):
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        code, out = aws.cli("s3", "verify", "--region", REGION, env={"AWS_ENDPOINT_URL": url, "AWS_CA_BUNDLE": None})
    finally:
        server.stop()
    line = summary_line(out)
    assert code == 1 and int(line["failed"]) > 0  # bare buckets fail the real checks
    assert (line["info"], line["detail"]) == ("5", "s3.request-metrics")
    assert "moto keeps" not in out
