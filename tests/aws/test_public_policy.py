"""Issue 14.1: "public" as AWS defines it (clientctl.aws.policy), table-driven, and through `s3 verify`.

Each row is one statement granting s3:GetObject to Principal "*" (unless the row sets another principal)
with a condition, and whether S3 Block Public Access / Access Analyzer would call it public.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from clientctl.aws import policy

from .conftest import OBS, Aws, provision, verify

TRACES = OBS["traces"]
ACCOUNT = "123456789012"

ROWS: list[tuple[str, dict[str, Any] | None, bool, Any]] = [
    # (label, Condition, public?, Principal override)
    ("no condition", None, True, None),
    ("fixed PrincipalArn", {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/reader"}}, False, None),
    ("wildcard account and role in ArnLike", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, True, None),
    ("wildcard role name only", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}, True, None),
    ("SourceIp whole IPv4 space", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, True, None),
    ("SourceIp whole IPv6 space", {"IpAddress": {"aws:SourceIp": "::/0"}}, True, None),
    ("SourceIp two halves of IPv4", {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}, True, None),
    ("SourceIp one /24", {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}, False, None),
    ("SourceIp v4 range plus ::/0", {"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "::/0"]}}, True, None),
    ("NotIpAddress is negated", {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}}, True, None),
    ("fixed SourceVpce", {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False, None),
    ("StringLike SourceVpce with *", {"StringLike": {"aws:SourceVpce": "vpce-*"}}, True, None),
    ("StringLike with a fixed value", {"StringLike": {"aws:SourceVpc": "vpc-111bbb22"}}, False, None),
    ("wildcard account id", {"StringEquals": {"aws:PrincipalAccount": "*"}}, True, None),
    ("fixed PrincipalAccount", {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}, False, None),
    ("list mixing fixed and wildcard", {"StringEquals": {"aws:SourceAccount": [ACCOUNT, "*"]}}, True, None),
    ("list of fixed values", {"StringEquals": {"aws:SourceAccount": [ACCOUNT, "210987654321"]}}, False, None),
    ("negated StringNotEquals", {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}, True, None),
    ("fixed PrincipalOrgID", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, False, None),
    ("ForAnyValue with fixed values", {"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}, False, None),
    (
        "ForAllValues is true when absent",
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}},
        True,
        None,
    ),
    ("IfExists is true when absent", {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, True, None),
    ("policy variable is not fixed", {"StringEquals": {"aws:userid": "${aws:userid}"}}, True, None),
    ("userid role pattern", {"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}, True, None),
    ("key that restricts nothing", {"StringEquals": {"s3:prefix": "home/"}}, True, None),
    ("Bool SecureTransport pins no one", {"Bool": {"aws:SecureTransport": "true"}}, True, None),
    ("key names are case-insensitive", {"StringEquals": {"AWS:SOURCEACCOUNT": ACCOUNT}}, False, None),
    (
        "fixed key ANDed with a wildcard one",
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "StringLike": {"aws:SourceArn": "*"}},
        False,
        None,
    ),
    ("fixed DataAccessPointAccount", {"StringEquals": {"s3:DataAccessPointAccount": ACCOUNT}}, False, None),
    ("AWS * principal, no condition", None, True, {"AWS": "*"}),
    ("wildcard inside a principal ARN", None, True, {"AWS": "arn:aws:iam::*:root"}),
    ("fixed principal", None, False, {"AWS": f"arn:aws:iam::{ACCOUNT}:role/reader"}),
    ("service principal", None, False, {"Service": "logging.s3.amazonaws.com"}),
]


def _statement(condition: dict[str, Any] | None, principal: Any) -> dict[str, Any]:
    stmt: dict[str, Any] = {
        "Sid": "Probe",
        "Effect": "Allow",
        "Principal": principal if principal is not None else "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{TRACES}/*",
    }
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


@pytest.mark.parametrize(("label", "condition", "public", "principal"), ROWS, ids=[r[0] for r in ROWS])
def test_public_as_aws_defines_it(label: str, condition: dict[str, Any] | None, public: bool, principal: Any) -> None:
    assert policy.is_public(_statement(condition, principal)) is public


def test_the_table_covers_both_answers_and_enough_policies() -> None:
    assert len(ROWS) >= 20
    assert {r[2] for r in ROWS} == {True, False}


@pytest.mark.parametrize(
    "condition",
    [
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
    ],
    ids=["ArnLike-wildcards", "SourceIp-0.0.0.0/0"],
)
def test_verify_flags_a_conditional_public_policy_and_names_the_statement(aws: Aws, condition: dict[str, Any]) -> None:
    assert provision(aws)[0] == 0
    s3 = aws.raw()
    # AWS itself would refuse such a policy while BlockPublicPolicy is on: switch the bucket's flags off
    # first, as the trial did (those flags are reported too, by s3.public-access-block).
    s3.put_public_access_block(
        Bucket=TRACES,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(
        Bucket=TRACES, Policy=json.dumps({"Version": "2012-10-17", "Statement": [_statement(condition, None)]})
    )
    code, report = verify(aws)
    assert code == 1
    by_check = {f["check"]: f for f in report["findings"] if f["bucket"] == TRACES and f["status"] != "PASS"}
    assert {"s3.public-read", "s3.cross-account", "s3.public-access-block"} <= set(by_check), by_check
    for check in ("s3.public-read", "s3.cross-account"):
        detail = json.dumps(by_check[check])
        assert "'Probe'" in detail and "pins no fixed value" in detail, detail


def test_policy_documents_read_one_way() -> None:
    """aws.policy.document/statements serve the audit, bootstrap, emergency and isolation alike."""
    assert policy.document(None) is None and policy.document("") is None
    one = policy.document('{"Statement": {"Effect": "Deny", "Action": "s3:*"}}')
    assert policy.statements(one) == [{"Effect": "Deny", "Action": "s3:*"}]
    assert policy.statement_list({"Version": "2012-10-17"}) is None
    assert policy.statements({"Version": "2012-10-17"}) == []
    assert policy.statements({"Statement": [{"Sid": "a"}, "junk"]}) == [{"Sid": "a"}]
    for bad in ("not json", "[1, 2]"):
        with pytest.raises(ValueError):
            policy.document(bad)
