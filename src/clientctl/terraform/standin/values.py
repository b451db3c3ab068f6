"""Plan and apply semantics of the stand-in, modelled on Terraform's ``mock_provider``.

* Plan (create): the proposed new state (configuration merged by Terraform) is kept; every computed attribute
  the configuration leaves null becomes unknown, at any depth of nested blocks and nested attributes.
* Plan (update): the proposed new state is the plan (Terraform already carried computed values over from the
  prior state), so an unchanged configuration plans no change.
* Plan (destroy): null.
* Write-only attributes are null in every plan and state (Terraform requires it).
* Apply: every unknown gets a deterministic synthetic value of its type (:func:`synth`), seeded by the
  resource type and its configuration, so the result agrees with every known planned value.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from clientctl.terraform.standin import cty
from clientctl.terraform.standin.cty import UNKNOWN, Dyn

ACCOUNT_ID = "123456789012"  # moto's default account

# aws_<prefix> -> service name in the ARN; region-less services get an empty region field.
_ARN_SERVICE = {
    "vpc": "ec2",
    "subnet": "ec2",
    "security": "ec2",
    "internet": "ec2",
    "nat": "ec2",
    "route": "ec2",
    "eip": "ec2",
    "instance": "ec2",
    "ebs": "ec2",
    "network": "ec2",
    "flow": "ec2",
    "vpn": "ec2",
    "customer": "ec2",
    "default": "ec2",
    "launch": "ec2",
    "key": "ec2",
    "volume": "ec2",
    "db": "rds",
    "cloudwatch": "logs",
    "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "route53": "route53",
    "dlm": "dlm",
}
_GLOBAL_SERVICES = {"iam", "route53", "s3", "cloudfront", "organizations"}


def seed_of(type_name: str, config: Any) -> str:
    return hashlib.sha256(f"{type_name}\n{cty.canonical_json(config)}".encode()).hexdigest()


def synth_arn(type_name: str, attr: str, seed: str, region: str) -> str:
    parts = type_name.split("_")
    prefix = parts[1] if len(parts) > 1 else type_name
    service = _ARN_SERVICE.get(prefix, prefix)
    resource = "_".join(parts[2:]) or prefix
    if attr != "arn":
        resource = attr[: -len("_arn")] or resource
    if service == "s3":
        return f"arn:aws:s3:::{type_name.replace('_', '-')}-{seed[:12]}"
    reg = "" if service in _GLOBAL_SERVICES else region
    return f"arn:aws:{service}:{reg}:{ACCOUNT_ID}:{resource.replace('_', '-')}/{type_name}-{seed[:12]}"


def synth(ty: cty.CtyType, attr: str, type_name: str, seed: str, region: str) -> Any:
    """A deterministic value of type ``ty`` for the unknown attribute ``attr``."""
    k = cty.kind(ty)
    if k == cty.DYNAMIC:
        return Dyn(cty.STRING, synth(cty.STRING, attr, type_name, seed, region))
    if k == cty.STRING:
        if attr == "id":
            return f"{type_name}-{seed[:12]}"
        if attr == "arn" or attr.endswith("_arn"):
            return synth_arn(type_name, attr, seed, region)
        if "endpoint" in attr or attr.endswith("url"):
            return f"https://127.0.0.1/{type_name}-{seed[:12]}"
        if attr in ("region",):
            return region
        if attr in ("owner_id", "account_id"):
            return ACCOUNT_ID
        if attr == "data" or attr.endswith(("_data", "certificate")):
            # Certificate data is base64 in every provider; callers base64decode() it.
            return base64.b64encode(f"stand-in {type_name} {attr} {seed[:12]}".encode()).decode()
        return f"{attr}-{seed[:12]}"
    if k == cty.NUMBER:
        return 0
    if k == cty.BOOL:
        return False
    if k in ("list", "set"):
        # A computed collection of objects (aws_eks_cluster.identity[0].oidc[0].issuer,
        # certificate_authority[0].data) gets one element, as the real provider returns; others stay empty.
        element = ty[1]
        if cty.kind(element) == "object":
            return [synth(element, attr, type_name, seed, region)]
        return []
    if k == "map":
        return {}
    if k == "object":
        return {n: synth(t, n, type_name, seed, region) for n, t in ty[1].items()}
    if k == "tuple":
        return [synth(t, attr, type_name, seed, region) for t in ty[1]]
    raise cty.CtyError(f"unknown type {ty!r}")


# --- walking a block value with its schema ---------------------------------------------------------------


def _map_elements(value: Any, fn: Callable[[Any], Any]) -> Any:
    """Apply ``fn`` to every element object of a nested block/attribute value (list, set, map, or a Dyn)."""
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, Dyn):
        return Dyn(value.ty, _map_elements(value.value, fn))
    if isinstance(value, list):
        return [fn(v) for v in value]
    if isinstance(value, dict):
        return {k: fn(v) for k, v in value.items()}
    return value


def _walk_object(attrs: dict[str, Any], value: Any, fn: Callable[[dict[str, Any], Any], Any]) -> Any:
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, Dyn):
        return Dyn(value.ty, _walk_object(attrs, value.value, fn))
    out = dict(value)
    for name, a in attrs.items():
        v = fn(a, out.get(name))
        nested = a.get("nested_type")
        if nested is not None and v is not None and v is not UNKNOWN:
            inner = nested.get("attributes", {})
            if nested.get("nesting_mode", "single") == "single":
                v = _walk_object(inner, v, fn)
            else:

                def each(e: Any, inner: dict[str, Any] = inner) -> Any:
                    return _walk_object(inner, e, fn)

                v = _map_elements(v, each)
        out[name] = v
    return out


def walk_block(block: dict[str, Any], value: Any, fn: Callable[[dict[str, Any], Any], Any]) -> Any:
    """Rebuild ``value`` with ``fn(attribute schema, attribute value)`` applied to every attribute, at any depth."""
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, Dyn):
        return Dyn(value.ty, walk_block(block, value.value, fn))
    out = _walk_object(block.get("attributes", {}), value, fn)
    for name, nb in block.get("block_types", {}).items():
        inner = nb["block"]
        v = out.get(name)
        if nb["nesting_mode"] in ("single", "group"):
            out[name] = walk_block(inner, v, fn)
        else:

            def each(e: Any, inner: dict[str, Any] = inner) -> Any:
                return walk_block(inner, e, fn)

            out[name] = _map_elements(v, each)
    return out


def plan(block: dict[str, Any], prior: Any, proposed: Any) -> Any:
    if proposed is None:
        return None
    creating = prior is None

    def step(a: dict[str, Any], v: Any) -> Any:
        if a.get("write_only"):
            return None
        if creating and v is None and a.get("computed"):
            return UNKNOWN
        return v

    return walk_block(block, proposed, step)


def strip_write_only(block: dict[str, Any], value: Any) -> Any:
    return walk_block(block, value, lambda a, v: None if a.get("write_only") else v)


def fill_unknowns(
    value: Any,
    ty: cty.CtyType,
    type_name: str,
    seed: str,
    region: str,
    overrides: dict[str, Any] | None = None,
    attr: str = "",
) -> Any:
    """Replace every unknown in ``value`` (typed ``ty``) by a synthetic value; top-level ``overrides`` first."""
    if value is UNKNOWN:
        if overrides is not None and attr in overrides:
            return coerce(overrides[attr], ty)
        return synth(ty, attr, type_name, seed, region)
    if value is None:
        return None
    k = cty.kind(ty)
    if isinstance(value, Dyn):
        return Dyn(value.ty, fill_unknowns(value.value, value.ty, type_name, seed, region, None, attr))
    if k == "object":
        return {n: fill_unknowns(value.get(n), t, type_name, seed, region, overrides, n) for n, t in ty[1].items()}
    if k in ("list", "set"):
        return [fill_unknowns(v, ty[1], type_name, seed, region, None, attr) for v in value]
    if k == "tuple":
        return [fill_unknowns(v, t, type_name, seed, region, None, attr) for v, t in zip(value, ty[1], strict=True)]
    if k == "map":
        return {key: fill_unknowns(v, ty[1], type_name, seed, region, None, attr) for key, v in value.items()}
    return value


def coerce(value: Any, ty: cty.CtyType) -> Any:
    """A plain Python value converted to type ``ty`` (a dynamic position gets an inferred type)."""
    if value is None or value is UNKNOWN:
        return value
    k = cty.kind(ty)
    if k == cty.DYNAMIC:
        return value if isinstance(value, Dyn) else Dyn(cty.infer_type(value), value)
    if k == cty.STRING:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)
    if k == cty.NUMBER:
        return value if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else Decimal(value)
    if k == cty.BOOL:
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if k in ("list", "set"):
        return [coerce(v, ty[1]) for v in value]
    if k == "tuple":
        return [coerce(v, t) for v, t in zip(value, ty[1], strict=True)]
    if k == "map":
        return {key: coerce(v, ty[1]) for key, v in value.items()}
    if k == "object":
        return {n: coerce(value.get(n), t) for n, t in ty[1].items()}
    raise cty.CtyError(f"unknown type {ty!r}")
