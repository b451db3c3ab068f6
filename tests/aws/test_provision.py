"""backend provision against the sandbox; every setting read back with plain boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clientctl.aws import backend
from clientctl.aws.session import CallRecorder, check_credentials
from clientctl.registry.models import BackendSettings, ObservabilityStorage

from .conftest import ENV, OBS, PROJECT, REGION, STATE, TABLE, Aws, provision


def rules_by_id(s3: Any, bucket: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    config = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    return {r["ID"]: r for r in config["Rules"]}, config.get("TransitionDefaultMinimumObjectSize")


def test_provision_creates_exactly_the_runbook_resources_with_every_setting(aws: Aws) -> None:
    code, out = provision(aws)
    assert code == 0, out
    s3, ddb = aws.raw(), aws.raw("dynamodb")
    assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"]) == sorted([STATE, *OBS.values()])
    assert ddb.list_tables()["TableNames"] == [TABLE]
    for name in [STATE, *OBS.values()]:
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == REGION
        bpa = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        assert all(
            bpa[f] for f in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        )
        rules = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        sse = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
        tls = next(s for s in policy["Statement"] if s["Sid"] == "DenyInsecureTransport")
        assert tls["Effect"] == "Deny" and tls["Action"] == "s3:*"
        assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert set(tls["Resource"]) == {f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"}
        rules_, _ = rules_by_id(s3, name)
        housekeeping = rules_[backend.HOUSEKEEPING_RULE]
        assert housekeeping["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
        assert housekeeping["NoncurrentVersionExpiration"]["NoncurrentDays"] == (90 if name == STATE else 30)
        logging = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
        if name == OBS["logs"]:
            assert logging is None
            log_stmt = next(s for s in policy["Statement"] if s["Sid"] == "AllowS3ServerAccessLogDelivery")
            assert log_stmt["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        else:
            assert logging == {"TargetBucket": OBS["logs"], "TargetPrefix": f"s3-access-logs/{name}/"}
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
        assert tags["Project"] == PROJECT and tags["ManagedBy"] == "clientctl"
    logs_rules, size = rules_by_id(s3, OBS["logs"])
    assert logs_rules[backend.RETENTION_RULE]["Transitions"] == [{"Days": 90, "StorageClass": "GLACIER"}]
    assert size == "varies_by_storage_class"
    assert rules_by_id(s3, OBS["traces"])[0][backend.RETENTION_RULE]["Expiration"] == {"Days": 30}
    assert rules_by_id(s3, OBS["metrics"])[0][backend.RETENTION_RULE]["Expiration"] == {"Days": 90}
    assert rules_by_id(s3, OBS["audit-logs"])[0][backend.RETENTION_RULE]["Expiration"] == {"Days": 2555}
    assert (
        s3.get_object_lock_configuration(Bucket=OBS["audit-logs"])["ObjectLockConfiguration"]["ObjectLockEnabled"]
        == "Enabled"
    )
    table = ddb.describe_table(TableName=TABLE)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "LockID", "AttributeType": "S"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["DeletionProtectionEnabled"] is True
    pitr = ddb.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    account = aws.raw("s3control").get_public_access_block(AccountId="123456789012")
    assert all(account["PublicAccessBlockConfiguration"].values())
    # The TLS-only policy does not block writes over TLS (the sandbox evaluates aws:SecureTransport).
    s3.put_object(Bucket=STATE, Key="env:/acme/terraform.tfstate", Body=b"{}")
    # backend.hcl is exactly what `clientctl render` writes
    code, out = aws.cli("render", "--check")
    assert code == 0, out


def test_rerun_is_a_no_op(aws: Aws) -> None:
    assert provision(aws)[0] == 0
    recorder = CallRecorder()
    target = aws.target(recorder)
    code, out = provision(aws)
    assert code == 0 and "nothing to change" in out
    spec = backend.desired_spec(
        project=PROJECT,
        region=REGION,
        environment=ENV,
        region_short="us-east",
        storage=ObservabilityStorage(),
        backend=BackendSettings(),
    )
    result = backend.plan(
        spec, target.client("s3"), target.client("dynamodb"), check_credentials(target), target.client("s3control")
    )
    assert result.empty and recorder.mutating == []


def test_dry_run_makes_no_mutating_call(aws: Aws) -> None:
    recorder = CallRecorder()
    target = aws.target(recorder)
    spec = backend.desired_spec(
        project=PROJECT,
        region=REGION,
        environment=ENV,
        region_short="us-east",
        storage=ObservabilityStorage(),
        backend=BackendSettings(),
    )
    result = backend.plan(
        spec, target.client("s3"), target.client("dynamodb"), check_credentials(target), target.client("s3control")
    )
    assert len(result.changes) > 30
    assert recorder.calls and recorder.mutating == []
    code, out = provision(aws, "--dry-run")
    assert code == 0 and "none made" in out
    assert aws.raw().list_buckets()["Buckets"] == []


@pytest.mark.parametrize(
    ("inject", "setting"),
    [
        (
            lambda s3: s3.put_bucket_versioning(Bucket=STATE, VersioningConfiguration={"Status": "Suspended"}),
            "versioning",
        ),
        (
            lambda s3: s3.put_public_access_block(
                Bucket=STATE,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": False,
                    "RestrictPublicBuckets": True,
                },
            ),
            "public-access-block",
        ),
    ],
)
def test_drift_is_reported_and_repaired(aws: Aws, inject: object, setting: str) -> None:
    assert provision(aws)[0] == 0
    inject(aws.raw())  # type: ignore[operator]
    code, out = provision(aws, "--dry-run")
    assert code == 0 and setting in out and "repair" in out
    assert provision(aws)[0] == 0
    assert "nothing to change" in provision(aws)[1]


def test_backend_only_and_observability_only(aws: Aws) -> None:
    assert provision(aws, "--backend-only")[0] == 0
    assert [b["Name"] for b in aws.raw().list_buckets()["Buckets"]] == [STATE]
    assert provision(aws, "--observability-only")[0] == 0
    assert len(aws.raw().list_buckets()["Buckets"]) == 5
    code, _ = provision(aws, "--backend-only", "--observability-only")
    assert code == 2


def test_refuses_without_terminal_and_without_force(aws: Aws) -> None:
    code, out = aws.cli("backend", "provision", "--region", REGION)
    assert code == 2 and "no terminal" in out and "--yes" in out
    assert aws.raw().list_buckets()["Buckets"] == []


def test_missing_credentials_is_a_clear_error(aws: Aws, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out = provision(aws, env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
    assert code == 2 and "no AWS credentials" in out and "AWS_ACCESS_KEY_ID" in out


def test_unreachable_endpoint_is_a_clear_error(aws: Aws) -> None:
    code, out = provision(aws, "--endpoint-url", "https://127.0.0.1:9", env={"AWS_MAX_ATTEMPTS": "1"})
    assert code == 2 and "cannot reach AWS" in out


def test_bucket_name_owned_by_another_account(aws: Aws) -> None:
    creds = aws.raw("sts").assume_role(RoleArn="arn:aws:iam::111111111111:role/other", RoleSessionName="other")[
        "Credentials"
    ]
    import boto3

    other = boto3.client(
        "s3",
        endpoint_url=aws.state.endpoint,
        verify=aws.state.ca_bundle,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    other.create_bucket(Bucket=STATE, CreateBucketConfiguration={"LocationConstraint": REGION})
    code, out = provision(aws, "--backend-only")
    assert code == 2 and STATE in out and "another account" in out


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--project-name", "foo-02"], "--project-name foo-02 (platform.yaml: project ohio-01)"),
        (["--region", "us-west-2"], "region us-west-2"),
        (["--environment", "staging"], "--environment staging"),
    ],
)
def test_provision_refuses_flags_that_contradict_platform_yaml(aws: Aws, flags: list[str], needle: str) -> None:
    """Issue 13.2: inside a repository platform.yaml wins; --ignore-registry is the explicit way out."""
    code, out = aws.cli("backend", "provision", "--dry-run", *flags)
    assert code == 2 and needle in out and "--ignore-registry" in out, out
    code, out = aws.cli("backend", "provision", "--dry-run", "--ignore-registry", *flags)
    assert code == 0, out
