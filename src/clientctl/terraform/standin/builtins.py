"""Types whose values our Terraform depends on, computed faithfully instead of synthesised.

Each handler receives the plain configuration (``cty.plain`` of the decoded config, so ``Dyn`` wrappers are
gone) and a context, and returns ``{attribute: plain value}`` for attributes the configuration leaves null.

``aws_iam_policy_document`` follows terraform-provider-aws ``internal/service/iam/policy_document_data_source.go``
and ``policy_model.go`` (https://github.com/hashicorp/terraform-provider-aws/tree/main/internal/service/iam):
field order Version, Id, Statement / Sid, Effect, Action, NotAction, Resource, NotResource, Principal,
NotPrincipal, Condition; empty fields omitted; a set of one string rendered as a string, larger sets sorted
in reverse; principal identifiers sorted in reverse, ``{"*": ["*"]}`` alone rendered as ``"*"``; condition
values keep their order, one value as a string; principal types and condition keys sorted (Go encodes maps
with sorted keys); ``&{`` becomes ``${`` in resources, identifiers and condition values; ``json`` is Go's
``MarshalIndent(doc, "", "  ")`` and ``minified_json`` Go's ``Marshal`` (both HTML-escape ``<``, ``>``, ``&``);
``id`` is the CRC-32 (IEEE) of ``json``; source documents merge first, then the statements, then override
documents, a statement with the Sid of an earlier one replacing it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import string
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clientctl.terraform.standin.values import ACCOUNT_ID


@dataclass(frozen=True)
class Context:
    type_name: str
    seed: str
    region: str


Handler = Callable[[dict[str, Any], Context], dict[str, Any]]


# --- aws_iam_policy_document -----------------------------------------------------------------------------


class PolicyError(ValueError):
    pass


def _strings(values: Any) -> Any:
    """policyDecodeConfigStrings: one element -> the string, otherwise sorted in reverse."""
    items = sorted({str(v) for v in values}, reverse=True)
    return items[0] if len(items) == 1 else items


def _replace_vars(value: Any, version: str) -> Any:
    if isinstance(value, list):
        return [_replace_vars(v, version) for v in value]
    if version == "2008-10-17" and "&{" in value:
        raise PolicyError(f"found &{{ sequence in ({value}), which is not supported in document version 2008-10-17")
    return str(value).replace("&{", "${")


def _principals_json(principals: list[tuple[str, Any]]) -> Any:
    if len(principals) == 1 and principals[0][0] == "*" and principals[0][1] in ("*", ["*"]):
        return "*"
    raw: dict[str, Any] = {}
    for ptype, ids in principals:
        current = raw.get(ptype)
        if isinstance(ids, list):
            merged = [] if current is None else ([current] if isinstance(current, str) else list(current))
            raw[ptype] = merged + sorted(ids, reverse=True)
        elif current is None:
            raw[ptype] = ids
        elif isinstance(current, str):
            raw[ptype] = [current, ids]
        else:
            raw[ptype] = [*current, ids]
    return {k: raw[k] for k in sorted(raw)}


def _conditions_json(conditions: list[tuple[str, str, Any]]) -> dict[str, Any]:
    raw: dict[str, dict[str, list[str]]] = {}
    for test, variable, values in conditions:
        bucket = raw.setdefault(test, {}).setdefault(variable, [])
        bucket.extend(values if isinstance(values, list) else [values])
    return {t: {v: (vals[0] if len(vals) == 1 else vals) for v, vals in sorted(raw[t].items())} for t in sorted(raw)}


def _statement_from_config(cfg: dict[str, Any], version: str) -> dict[str, Any]:
    st: dict[str, Any] = {}
    if cfg.get("sid"):
        st["Sid"] = cfg["sid"]
    st["Effect"] = cfg.get("effect") or "Allow"
    for key, field in (("actions", "Action"), ("not_actions", "NotAction")):
        if cfg.get(key):
            st[field] = _strings(cfg[key])
    for key, field in (("resources", "Resource"), ("not_resources", "NotResource")):
        if cfg.get(key):
            st[field] = _replace_vars(_strings(cfg[key]), version)
    for key, field in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if cfg.get(key):
            st[field] = _principals_json(
                [(p["type"], _replace_vars(_strings(p.get("identifiers") or []), version)) for p in cfg[key]]
            )
    if cfg.get("condition"):
        conds = []
        for c in cfg["condition"]:
            vals = _replace_vars([str(v) for v in c.get("values") or []], version)
            conds.append((c["test"], c["variable"], vals[0] if len(vals) == 1 else vals))
        st["Condition"] = _conditions_json(conds)
    return st


def _statement_from_json(obj: dict[str, Any]) -> dict[str, Any]:
    """A statement of a source/override document, re-rendered as the provider's unmarshal+marshal does."""
    st: dict[str, Any] = {}
    for field in ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"):
        if obj.get(field):
            st[field] = obj[field]
    for field in ("Principal", "NotPrincipal"):
        p = obj.get(field)
        if not p:
            continue
        if isinstance(p, str):
            st[field] = "*"
        else:
            st[field] = _principals_json(
                [(k, sorted(v) if isinstance(v, list) else v) for k, v in p.items()]  # UnmarshalJSON sorts
            )
    cond = obj.get("Condition")
    if cond:
        conds = []
        for test, variables in cond.items():
            for var, vals in variables.items():
                if isinstance(vals, bool):
                    vals = "true" if vals else "false"
                conds.append((test, var, vals if isinstance(vals, list) else [vals] if isinstance(vals, str) else vals))
        st["Condition"] = _conditions_json(conds)
    return st


def _merge(doc: dict[str, Any], new: dict[str, Any]) -> None:
    if new.get("Id"):
        doc["Id"] = new["Id"]
    if new.get("Version", "") > doc.get("Version", ""):
        doc["Version"] = new["Version"]
    for st in new.get("Statement", []):
        sid = st.get("Sid")
        for i, existing in enumerate(doc["Statement"]):
            if sid and existing.get("Sid") == sid:
                doc["Statement"][i] = st
                break
        else:
            doc["Statement"].append(st)


def _parse_doc(text: str, what: str, index: int) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"writing IAM Policy Document: merging {what} document {index}: {exc}") from exc
    stmts = obj.get("Statement") or []
    if isinstance(stmts, dict):
        stmts = [stmts]
    return {
        "Version": obj.get("Version", ""),
        "Id": obj.get("Id", ""),
        "Statement": [_statement_from_json(s) for s in stmts],
    }


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc.get("Version"):
        out["Version"] = doc["Version"]
    if doc.get("Id"):
        out["Id"] = doc["Id"]
    if doc.get("Statement"):
        order = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal")
        stmts = []
        for st in doc["Statement"]:
            stmts.append({k: st[k] for k in (*order, "Condition") if k in st})
        out["Statement"] = stmts
    return out


def go_json(obj: Any, indent: bool) -> str:
    """Go ``encoding/json`` output: HTML-safe escaping, ``MarshalIndent`` with two spaces when ``indent``."""
    text = (
        json.dumps(obj, indent=2, ensure_ascii=False)
        if indent
        else json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    )
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_policy_document(cfg: dict[str, Any]) -> dict[str, str]:
    """``json``, ``minified_json`` and ``id`` of an ``aws_iam_policy_document`` configuration."""
    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
    seen_sids: set[str] = set()
    for i, src in enumerate(cfg.get("source_policy_documents") or []):
        if src is None:
            continue
        sdoc = _parse_doc(src, "source", i)
        for j, st in enumerate(sdoc["Statement"]):
            sid = st.get("Sid")
            if sid:
                if sid in seen_sids:
                    raise PolicyError(
                        f"writing IAM Policy Document: merging source document {i}: duplicate Sid ({sid}) in "
                        f"source_policy_documents (statement {j}). Remove the Sid or ensure Sids are unique."
                    )
                seen_sids.add(sid)
        _merge(merged, sdoc)
    version = cfg.get("version") or "2012-10-17"
    doc: dict[str, Any] = {"Version": version, "Id": cfg.get("policy_id") or "", "Statement": []}
    sids: set[str] = set()
    for st_cfg in cfg.get("statement") or []:
        sid = st_cfg.get("sid") or ""
        if sid in sids:
            raise PolicyError(
                f"writing IAM Policy Document: duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique."
            )
        if sid:
            sids.add(sid)
        doc["Statement"].append(_statement_from_config(st_cfg, version))
    _merge(merged, doc)
    for i, over in enumerate(cfg.get("override_policy_documents") or []):
        if over is not None:
            _merge(merged, _parse_doc(over, "override", i))
    ordered = _ordered(merged)
    pretty = go_json(ordered, indent=True)
    return {
        "json": pretty,
        "minified_json": go_json(ordered, indent=False),
        "id": str(zlib.crc32(pretty.encode())),
    }


def _policy_document(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return render_policy_document(cfg)


# --- other aws data sources ------------------------------------------------------------------------------


def _partition(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {"id": "aws", "partition": "aws", "dns_suffix": "amazonaws.com", "reverse_dns_prefix": "com.amazonaws"}


def _region(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    region = cfg.get("region") or cfg.get("name") or ctx.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": f"stand-in region {region}",
    }


def _caller_identity(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "account_id": ACCOUNT_ID,
        "arn": f"arn:aws:sts::{ACCOUNT_ID}:user/moto",
        "user_id": "AKIAIOSFODNN7EXAMPLE",
    }


def _availability_zones(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    letters = "abc"
    return {
        "id": ctx.region,
        "names": [f"{ctx.region}{x}" for x in letters],
        "zone_ids": [f"use2-az{i + 1}" for i in range(len(letters))],
        "group_names": [ctx.region],
    }


def _ami(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    ami = f"ami-{ctx.seed[:17]}"
    arch = "x86_64"
    name = f"stand-in-{ctx.seed[:8]}"
    for f in cfg.get("filter") or []:
        if f.get("name") == "architecture" and f.get("values"):
            arch = f["values"][0]
        if f.get("name") == "name" and f.get("values"):
            name = f["values"][0].replace("*", "stand-in")
    owners = cfg.get("owners") or [ACCOUNT_ID]
    return {
        "id": ami,
        "image_id": ami,
        "arn": f"arn:aws:ec2:{ctx.region}::image/{ami}",
        "architecture": arch,
        "name": name,
        "owner_id": owners[0],
        "root_device_name": "/dev/xvda",
        "root_device_type": "ebs",
        "virtualization_type": "hvm",
        "state": "available",
    }


def _route53_zone(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    zone = "Z" + ctx.seed[:20].upper()
    name = cfg.get("name") or "example.com"
    return {
        "id": zone,
        "zone_id": zone,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone}",
        "name_servers": [f"ns-{i}.awsdns-{i:02d}.org" for i in range(1, 5)],
        "private_zone": bool(cfg.get("private_zone")),
        "resource_record_set_count": 2,
    }


def _secretsmanager_secrets(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    names = sorted({v for f in cfg.get("filter") or [] if f.get("name") == "name" for v in f.get("values") or []})
    return {
        "id": ctx.region,
        "names": names,
        "arns": [f"arn:aws:secretsmanager:{ctx.region}:{ACCOUNT_ID}:secret:{n}-AbCdEf" for n in names],
    }


def _secret_version(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    sid = cfg.get("secret_id") or "secret"
    return {
        "arn": f"arn:aws:secretsmanager:{ctx.region}:{ACCOUNT_ID}:secret:{sid}-AbCdEf",
        # What our layers store is JSON ({"username", "password"}); a stand-in value of that shape lets
        # jsondecode(...).password work. It is not the value written (write-only values are never kept).
        "secret_string": json.dumps({"username": "stand-in", "password": f"stand-in-{ctx.seed[:12]}"}),
        "version_id": str(uuid.UUID(ctx.seed[:32])),
        "version_stages": ["AWSCURRENT"],
        "created_date": "2026-01-01T00:00:00Z",
    }


def _sesv2_email_identity(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """A domain identity with Easy DKIM: SES always returns three DKIM tokens (CreateEmailIdentity
    ``DkimAttributes.Tokens``), which callers publish as ``<token>._domainkey.<domain>`` CNAMEs."""
    identity = cfg.get("email_identity") or "example.com"
    tokens = [hashlib.sha256(f"{ctx.seed}:{i}".encode()).hexdigest()[:32] for i in range(3)]
    return {
        "arn": f"arn:aws:ses:{ctx.region}:{ACCOUNT_ID}:identity/{identity}",
        "identity_type": "EMAIL_ADDRESS" if "@" in identity else "DOMAIN",
        "verification_status": "PENDING",
        "verified_for_sending_status": False,
        "dkim_signing_attributes": [
            {
                "tokens": tokens,
                "status": "PENDING",
                "signing_attributes_origin": "AWS_SES",
                "current_signing_key_length": "RSA_2048_BIT",
            }
        ],
    }


# --- random ----------------------------------------------------------------------------------------------

_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"


def _charset_parts(cfg: dict[str, Any]) -> list[tuple[str, int]]:
    def flag(name: str) -> bool:
        v = cfg.get(name)
        if name == "numeric" and v is None:
            v = cfg.get("number")
        return True if v is None else bool(v)

    parts = []
    if flag("upper"):
        parts.append((string.ascii_uppercase, int(cfg.get("min_upper") or 0)))
    if flag("lower"):
        parts.append((string.ascii_lowercase, int(cfg.get("min_lower") or 0)))
    if flag("numeric"):
        parts.append((string.digits, int(cfg.get("min_numeric") or 0)))
    if flag("special"):
        parts.append((cfg.get("override_special") or _DEFAULT_SPECIAL, int(cfg.get("min_special") or 0)))
    return parts


def random_string(cfg: dict[str, Any], choose: Callable[[str], str], shuffle: Callable[[list[str]], None]) -> str:
    """A string honouring length, upper/lower/numeric/special, min_* and override_special like the provider."""
    length = int(cfg.get("length") or 0)
    parts = [(chars, n) for chars, n in _charset_parts(cfg) if chars]
    if not parts:
        raise ValueError("the character set is empty: enable at least one of upper, lower, numeric, special")
    out = [choose(chars) for chars, n in parts for _ in range(n)]
    alphabet = "".join(chars for chars, _ in parts)
    while len(out) < length:
        out.append(choose(alphabet))
    shuffle(out)
    return "".join(out)


def _ephemeral_password(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    rng = secrets.SystemRandom()
    result = random_string(cfg, secrets.choice, rng.shuffle)
    return {"result": result, "bcrypt_hash": "$2a$10$" + "stand.in.hash.not.bcrypt".ljust(53, "x")}


class _Det:
    """Deterministic choices from a seed (for managed random_* resources, whose values live in state)."""

    def __init__(self, seed: str) -> None:
        self.counter = 0
        self.seed = seed

    def _next(self) -> int:
        self.counter += 1
        return int.from_bytes(hashlib.sha256(f"{self.seed}:{self.counter}".encode()).digest()[:8], "big")

    def choose(self, chars: str) -> str:
        return chars[self._next() % len(chars)]

    def shuffle(self, items: list[str]) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self._next() % (i + 1)
            items[i], items[j] = items[j], items[i]


def _random_password(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    det = _Det(ctx.seed)
    return {
        "id": "none",
        "result": random_string(cfg, det.choose, det.shuffle),
        "bcrypt_hash": "$2a$10$" + "stand.in.hash.not.bcrypt".ljust(53, "x"),
    }


def _random_string(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    det = _Det(ctx.seed)
    result = random_string(cfg, det.choose, det.shuffle)
    return {"id": result, "result": result}


def _random_id(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    n = int(cfg.get("byte_length") or 8)
    raw = hashlib.shake_256(ctx.seed.encode()).digest(n)
    prefix = cfg.get("prefix") or ""
    b64_url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {
        "id": b64_url,
        "b64_url": prefix + b64_url,
        "b64_std": prefix + base64.b64encode(raw).decode(),
        "hex": prefix + raw.hex(),
        "dec": prefix + str(int.from_bytes(raw, "big")),
    }


def _random_integer(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    lo, hi = int(cfg.get("min") or 0), int(cfg.get("max") or 0)
    value = lo + int(ctx.seed[:12], 16) % (hi - lo + 1) if hi >= lo else lo
    return {"id": str(value), "result": value}


def _random_uuid(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    u = str(uuid.UUID(ctx.seed[:32], version=4))
    return {"id": u, "result": u}


_WORDS = ("amber", "brisk", "calm", "deft", "eager", "fair", "glad", "hale", "keen", "lucid")
_PETS = ("otter", "lynx", "heron", "koala", "marten", "ibex", "tapir", "wren", "yak", "zebu")


def _random_pet(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    det = _Det(ctx.seed)
    n = int(cfg.get("length") or 2)
    words = [det.choose("0123456789") for _ in range(n)]
    parts = [_WORDS[int(w)] for w in words[:-1]] + [_PETS[int(words[-1])]]
    if cfg.get("prefix"):
        parts.insert(0, cfg["prefix"])
    return {"id": (cfg.get("separator") or "-").join(parts)}


def _random_shuffle(cfg: dict[str, Any], ctx: Context) -> dict[str, Any]:
    det = _Det(ctx.seed)
    items = list(cfg.get("input") or [])
    det.shuffle(items)
    count = cfg.get("result_count")
    return {"id": "-", "result": items[: int(count)] if count is not None else items}


#: (section, type) -> handler
HANDLERS: dict[tuple[str, str], Handler] = {
    ("data_source_schemas", "aws_iam_policy_document"): _policy_document,
    ("data_source_schemas", "aws_partition"): _partition,
    ("data_source_schemas", "aws_region"): _region,
    ("data_source_schemas", "aws_caller_identity"): _caller_identity,
    ("data_source_schemas", "aws_availability_zones"): _availability_zones,
    ("data_source_schemas", "aws_ami"): _ami,
    ("data_source_schemas", "aws_route53_zone"): _route53_zone,
    ("data_source_schemas", "aws_secretsmanager_secrets"): _secretsmanager_secrets,
    ("ephemeral_resource_schemas", "aws_secretsmanager_secret_version"): _secret_version,
    ("resource_schemas", "aws_sesv2_email_identity"): _sesv2_email_identity,
    ("ephemeral_resource_schemas", "random_password"): _ephemeral_password,
    ("resource_schemas", "random_password"): _random_password,
    ("resource_schemas", "random_string"): _random_string,
    ("resource_schemas", "random_id"): _random_id,
    ("resource_schemas", "random_integer"): _random_integer,
    ("resource_schemas", "random_uuid"): _random_uuid,
    ("resource_schemas", "random_pet"): _random_pet,
    ("resource_schemas", "random_shuffle"): _random_shuffle,
}
