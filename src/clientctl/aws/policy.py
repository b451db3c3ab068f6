"""IAM policy documents: tolerant parsing, and AWS's own definition of a *public* statement.

Parsing accepts every shape AWS accepts: ``Statement`` as one object or a list, ``Action`` /
``Resource`` / condition values as a string or a list, ``Principal`` as ``"*"``, ``{"AWS": "*"}``,
``{"AWS": [...]}`` or ``{"Service": ...}``.

**Public.** The audit (``s3 verify``: ``s3.public-read``, ``s3.public-write``, ``s3.cross-account``) uses
the definition that S3 Block Public Access and IAM Access Analyzer use, from the S3 User Guide, "The meaning
of 'public'" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
#access-control-block-public-access-policy-status): a policy is non-public only if every statement that
grants to everyone is limited to *fixed* values (no wildcard, no policy variable) of a principal or of one
of the condition keys in :data:`RESTRICTING_KEYS`, or to a set of CIDRs with ``aws:SourceIp``.

How that reads for each condition (:func:`restriction`):

* the operator must narrow positively: ``StringEquals``, ``StringEqualsIgnoreCase``, ``StringLike``,
  ``ArnEquals``, ``ArnLike``, ``IpAddress`` (for ``aws:SourceIp``), optionally qualified by
  ``ForAnyValue:``. Negated operators (``StringNotEquals``, ``ArnNotLike``, ``NotIpAddress``, ...) admit
  everyone else; ``...IfExists`` and ``ForAllValues:`` are true when the key is absent; ``Null`` and
  ``Bool`` pin nothing: none of these restricts;
* every value must be fixed: one ``*``, ``?`` or ``${...}`` in any value of the list (``arn:aws:iam::*:role/*``,
  ``["111122223333", "*"]``) makes the condition admit anyone;
* ``aws:SourceIp`` must not cover a whole address family: ``0.0.0.0/0``, ``::/0``, or ranges whose union is
  the whole space (``0.0.0.0/1`` + ``128.0.0.0/1``) are public;
* conditions are ANDed, so one restricting condition makes the statement non-public.

A principal is public when it is ``*`` (bare or as ``AWS``) or an AWS principal containing a wildcard
(``arn:aws:iam::*:root``).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

#: Condition keys whose fixed values make a grant to everyone non-public (lower-case; keys are
#: case-insensitive). ``aws:SourceIp`` is handled apart: it restricts by range, see :func:`restriction`.
RESTRICTING_KEYS: Final = frozenset(
    {
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalarn",
        "aws:userid",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
    }
)
SOURCE_IP: Final = "aws:sourceip"
#: Operators that narrow to the listed values (lower-case, without a ``ForAnyValue:`` qualifier).
NARROWING_OPERATORS: Final = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)


def as_list(value: Any) -> list[Any]:
    """A policy field that may be one value or a list, as a list (``None`` -> ``[]``)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def document(text: str | None) -> dict[str, Any] | None:
    """A policy document from its JSON text; None when there is none (no policy, or an empty string).
    ValueError when the text is not a JSON object: each caller decides what an unreadable policy means."""
    if not text:
        return None
    parsed = json.loads(text)
    if not isinstance(parsed, dict):
        raise ValueError(f"a policy document is a JSON object, not {type(parsed).__name__}")
    return parsed


def statement_list(policy: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The document's statements (``Statement`` as one object or a list); None when it has no ``Statement``."""
    raw = policy.get("Statement")
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        return None
    return [dict(s) for s in raw if isinstance(s, Mapping)]


def statements(policy: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The document's statements; ``[]`` when there is no document or no ``Statement``."""
    return (statement_list(policy) or []) if policy else []


def bucket_policy(s3: Any, bucket: str) -> dict[str, Any] | None:
    """The bucket's policy document (GetBucketPolicy); None when the bucket has none."""
    from clientctl.aws.errors import error_code

    try:
        text = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except Exception as exc:
        if error_code(exc) == "NoSuchBucketPolicy":
            return None
        raise
    return document(text)


def principals(stmt: dict[str, Any], field: str = "Principal") -> dict[str, list[str]]:
    raw = stmt.get(field)
    if raw is None:
        return {}
    if isinstance(raw, str):
        return {"*": [raw]}
    if isinstance(raw, dict):
        return {str(k): [str(v) for v in as_list(vals)] for k, vals in raw.items()}
    return {}


def has_public_principal(stmt: dict[str, Any]) -> bool:
    """``Principal`` is everyone: ``*``, ``{"AWS": "*"}``, or an AWS principal with a wildcard."""
    found = principals(stmt)
    return "*" in found.get("*", []) or any(_wild(p) for p in found.get("AWS", []))


def actions(stmt: dict[str, Any]) -> list[str]:
    return [str(a) for a in as_list(stmt.get("Action"))]


def covers(stmt: dict[str, Any], action: str) -> bool:
    """Whether the statement's ``Action`` (or ``NotAction``) applies to ``action`` (wildcards, any case)."""
    if "NotAction" in stmt:
        return not any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in map(str, as_list(stmt["NotAction"])))
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in actions(stmt))


def condition_keys(stmt: dict[str, Any]) -> set[str]:
    keys: set[str] = set()
    for _op, body in (stmt.get("Condition") or {}).items():
        if isinstance(body, dict):
            keys |= {str(k).lower() for k in body}
    return keys


@dataclass(frozen=True)
class Restriction:
    """The condition that keeps a statement from being public: operator, key and values."""

    operator: str
    key: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.operator} {self.key} {list(self.values)}"


def restriction(stmt: dict[str, Any]) -> Restriction | None:
    """The first condition that limits the statement to fixed values (see the module docstring), or None."""
    condition = stmt.get("Condition")
    if not isinstance(condition, dict):
        return None
    for operator, body in condition.items():
        if not isinstance(body, dict):
            continue
        op = str(operator).lower()
        if op.startswith("forallvalues:") or op.endswith("ifexists"):
            continue
        base = op.removeprefix("foranyvalue:")
        if base not in NARROWING_OPERATORS:
            continue
        for key, raw in body.items():
            values = tuple(str(v) for v in as_list(raw))
            if not values:
                continue
            k = str(key).lower()
            if k == SOURCE_IP and base == "ipaddress" and not _covers_a_whole_family(values):
                return Restriction(str(operator), str(key), values)
            if k in RESTRICTING_KEYS and base != "ipaddress" and not any(_wild(v) for v in values):
                return Restriction(str(operator), str(key), values)
    return None


def is_public(stmt: dict[str, Any]) -> bool:
    """A statement that grants (or denies) to everyone, not narrowed by a fixed-value condition."""
    return has_public_principal(stmt) and restriction(stmt) is None


def _wild(value: str) -> bool:
    return "*" in value or "?" in value or "${" in value


def _covers_a_whole_family(values: Iterable[str]) -> bool:
    """True when the CIDRs cover all of IPv4 or all of IPv6 (an unparsable value counts as everything)."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for text in values:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return True
        if isinstance(net, ipaddress.IPv4Network):
            v4.append(net)
        else:
            v6.append(net)
    whole4, whole6 = ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")
    return any(n == whole4 for n in ipaddress.collapse_addresses(v4)) or any(
        n == whole6 for n in ipaddress.collapse_addresses(v6)
    )
