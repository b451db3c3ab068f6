"""Day-2 AWS commands against the sandbox: the sandbox fixtures of tests/aws, plus state, locks and Cost
Explorer results put into the sandbox the way Terraform and AWS write them. Assertions read back with
plain boto3 (``aws.raw``), never clientctl's own code."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import urllib.request
import uuid
from typing import Any

from clientctl import naming
from tests.aws.conftest import ENV, PROJECT, REGION, Aws, aws, server

__all__ = ["Aws", "aws", "server"]

BUCKET = naming.state_bucket(PROJECT, ENV)
TABLE = naming.lock_table("us-east")
LAYERS = (
    "01-foundation",
    "02-platform",
    "03-database",
    "04-standalone-compute",
    "05-cluster-services",
    "06-observability",
)


def key(client: str, layer: str) -> str:
    return naming.client_state_key(REGION, layer, ENV, client)


def make_backend(aws: Aws) -> None:
    """The state bucket (versioned) and the lock table, as `backend provision` makes them (the parts used here)."""
    s3 = aws.raw()
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    aws.raw("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def state_json(client: str, serial: int, resources: int = 3, tf: str = "1.10.5", lineage: str | None = None) -> bytes:
    """A Terraform state file (format version 4) with ``resources`` managed instances and one data source."""
    items: list[dict[str, Any]] = [
        {
            "module": f'module.client_vpcs["{client}"]',
            "mode": "managed",
            "type": "aws_subnet",
            "name": "private",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [
                {
                    "index_key": f"us-east-2{chr(97 + i)}",
                    "schema_version": 1,
                    "attributes": {"id": f"subnet-{serial:04d}{i:04d}", "tags": {"Client": client}},
                    "sensitive_attributes": [],
                }
                for i in range(resources)
            ],
        },
        {
            "mode": "data",
            "type": "aws_caller_identity",
            "name": "current",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [{"schema_version": 0, "attributes": {"account_id": "123456789012"}}],
        },
    ]
    state = {
        "version": 4,
        "terraform_version": tf,
        "serial": serial,
        "lineage": lineage or f"lineage-{client}",
        "outputs": {},
        "resources": items if resources else [],
        "check_results": None,
    }
    return json.dumps(state, indent=2).encode()


def put_state(aws: Aws, client: str, layer: str, serial: int, **kwargs: Any) -> str:
    """Write a state version like the S3 backend (AES256); returns its version id."""
    body = state_json(client, serial, **kwargs)
    put = aws.raw().put_object(
        Bucket=BUCKET, Key=key(client, layer), Body=body, ServerSideEncryption="AES256", ContentType="application/json"
    )
    return str(put["VersionId"])


def put_lock(
    aws: Aws,
    client: str,
    layer: str,
    *,
    who: str = "alice@laptop",
    operation: str = "OperationTypeApply",
    minutes_ago: float = 20,
    dynamodb: bool = True,
    lockfile: bool = True,
) -> str:
    """A lock as Terraform writes it: the lock-table item (LockID/Info) and the S3 ``.tflock`` object."""
    lock_id = str(uuid.uuid4())
    created = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    path = f"{BUCKET}/{key(client, layer)}"
    info = json.dumps(
        {
            "ID": lock_id,
            "Operation": operation,
            "Info": "",
            "Who": who,
            "Version": "1.10.5",
            "Created": created.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z",  # Go prints nanoseconds
            "Path": path,
        }
    )
    if dynamodb:
        aws.raw("dynamodb").put_item(TableName=TABLE, Item={"LockID": {"S": path}, "Info": {"S": info}})
    if lockfile:
        aws.raw().put_object(Bucket=BUCKET, Key=key(client, layer) + ".tflock", Body=info.encode())
    return lock_id


def put_digest(aws: Aws, client: str, layer: str, digest: str) -> None:
    path = f"{BUCKET}/{key(client, layer)}-md5"
    aws.raw("dynamodb").put_item(TableName=TABLE, Item={"LockID": {"S": path}, "Digest": {"S": digest}})


def seed_cost_results(aws: Aws, results: list[dict[str, Any]]) -> None:
    """Queue GetCostAndUsage answers in the sandbox (moto's /moto-api/static/ce/cost-and-usage-results)."""
    context = ssl.create_default_context(cafile=aws.state.ca_bundle)
    request = urllib.request.Request(
        f"{aws.state.endpoint}/moto-api/static/ce/cost-and-usage-results",
        data=json.dumps({"results": results}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        assert response.status == 201


def cli_json(aws: Aws, *args: str, input: str | None = None) -> tuple[int, dict[str, Any]]:
    code, out = aws.cli(*args, input=input)
    start = out.find("{\n")
    assert start >= 0, out
    return code, json.loads(out[start : out.rindex("\n}") + 2])
