"""Provider schemas for the stand-in: read a committed schema file, normalise it, serve it as protobuf.

Input: ``src/clientctl/terraform/schemas/<provider>-<version>.json.gz`` (see that folder's README). Two shapes
are accepted without any switch:

* the full ``terraform providers schema -json`` block format (every attribute has ``type`` or ``nested_type``,
  flags ``required``/``optional``/``computed``/``sensitive``/``write_only``/``deprecated``, block types with
  ``nesting_mode`` and ``min_items``/``max_items``, a ``provider`` block);
* the older untyped extract. An attribute without ``type``/``nested_type`` is served as ``dynamic``, so
  Terraform accepts any value there (type mistakes then go unnoticed until the typed files land). Two legacy
  gaps are bridged for such attributes only: a top-level ``id`` that is only ``optional`` becomes
  optional+computed (every SDKv2 resource's ``id`` is), and an attribute named ``*_wo`` becomes
  ``write_only`` (the AWS provider's naming rule for write-only arguments), so ephemeral values can be
  assigned to it as in the real provider. In a file with no typed attribute at all, a ``single`` block
  becomes a list block with ``max_items = 1`` (``timeouts`` excepted, which is single in both SDKv2 and
  the plugin framework): the extractor writes ``single`` for every max-one block, and
  SDKv2 providers (most of aws, kubernetes) declare those as lists, so ``x.block[0].attr`` is how our code
  (correctly) refers to them. A missing ``provider`` block falls back to :data:`FALLBACK_PROVIDER_BLOCK`.

Always: ``alias`` is dropped from the provider block (a meta-argument that Terraform consumes itself), a
block without a ``block`` body (``recursive_ref`` cut by the extractor) is served empty, and a set block or
set nested attribute whose content would be dynamic is served as a list (Terraform rejects dynamic types in
sets: ``internal/configs/configschema/internal_validate.go``).

The serialized ``GetProviderSchema.Response`` is cached per schema file (key: sha256 of the file and of this
module's source), because building it for aws (about 2,400 types) takes far longer than reading it back.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clientctl.terraform.standin import cty
from clientctl.terraform.standin.proto import pb

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

SECTIONS = ("resource_schemas", "data_source_schemas", "ephemeral_resource_schemas")

#: Provider configuration used when a schema file has no ``provider`` block: every argument our
#: ``providers/**/providers.tf`` files set, all optional and dynamically typed.
FALLBACK_PROVIDER_BLOCK: dict[str, Any] = {
    "attributes": {
        name: {"optional": True}
        for name in (
            "region",
            "profile",
            "host",
            "token",
            "cluster_ca_certificate",
            "config_path",
            "kubernetes",
            "skip_credentials_validation",
            "skip_metadata_api_check",
            "skip_requesting_account_id",
            "s3_use_path_style",
            "access_key",
            "secret_key",
        )
    },
    "block_types": {
        "default_tags": {"nesting_mode": "list", "block": {"attributes": {"tags": {"optional": True}}}},
        "endpoints": {"nesting_mode": "list", "block": {"attributes": {}}},
        "exec": {"nesting_mode": "list", "block": {"attributes": {}}},
    },
}

#: Real attribute types of the data sources the stand-in computes, for attributes of the untyped extract that
#: lack one (paths are dotted through nested blocks). Source: terraform-provider-aws
#: ``internal/service/iam/policy_document_data_source.go`` (schema of aws_iam_policy_document) and the
#: ``filter`` blocks of ``aws_ami`` / ``aws_secretsmanager_secrets`` (name string, values set of string).
#: Needed because Terraform 1.15 panics ("ProposedNew only supports object-typed values",
#: objchange.PlannedDataResourceObject) when a data source whose configuration is unknown at plan time has a
#: list block with dynamically-typed content, which is what the untyped extract would give these.
_STR, _STRS, _STR_LIST = "string", ["set", "string"], ["list", "string"]
KNOWN_TYPES: dict[tuple[str, str], dict[str, Any]] = {
    ("data_source_schemas", "aws_iam_policy_document"): {
        "id": _STR,
        "json": _STR,
        "minified_json": _STR,
        "override_json": _STR,
        "override_policy_documents": _STR_LIST,
        "policy_id": _STR,
        "source_json": _STR,
        "source_policy_documents": _STR_LIST,
        "version": _STR,
        "statement.actions": _STRS,
        "statement.not_actions": _STRS,
        "statement.resources": _STRS,
        "statement.not_resources": _STRS,
        "statement.effect": _STR,
        "statement.sid": _STR,
        "statement.condition.test": _STR,
        "statement.condition.variable": _STR,
        "statement.condition.values": _STR_LIST,
        "statement.principals.type": _STR,
        "statement.principals.identifiers": _STRS,
        "statement.not_principals.type": _STR,
        "statement.not_principals.identifiers": _STRS,
    },
    ("data_source_schemas", "aws_ami"): {"filter.name": _STR, "filter.values": _STRS},
    ("data_source_schemas", "aws_secretsmanager_secrets"): {"filter.name": _STR, "filter.values": _STRS},
}


def apply_known_types(block: dict[str, Any], types: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A copy of ``block`` with ``types[path]`` set on attributes that have no type of their own."""
    out = dict(block)
    out["attributes"] = {
        n: ({**a, "type": types[prefix + n]} if _is_legacy(a) and prefix + n in types else a)
        for n, a in block.get("attributes", {}).items()
    }
    out["block_types"] = {
        n: {**nb, "block": apply_known_types(nb.get("block", {}), types, f"{prefix}{n}.")}
        for n, nb in block.get("block_types", {}).items()
    }
    return out


_NESTING_BLOCK = {
    "single": pb.Schema.NestedBlock.NestingMode.SINGLE,
    "list": pb.Schema.NestedBlock.NestingMode.LIST,
    "set": pb.Schema.NestedBlock.NestingMode.SET,
    "map": pb.Schema.NestedBlock.NestingMode.MAP,
    "group": pb.Schema.NestedBlock.NestingMode.GROUP,
}
_NESTING_OBJECT = {
    "single": pb.Schema.Object.NestingMode.SINGLE,
    "list": pb.Schema.Object.NestingMode.LIST,
    "set": pb.Schema.Object.NestingMode.SET,
    "map": pb.Schema.Object.NestingMode.MAP,
}


def schema_file(provider: str, directory: Path = SCHEMA_DIR) -> Path:
    """The single committed schema file of ``provider`` (``aws`` -> ``aws-6.69.1.json.gz``)."""
    matches = sorted(directory.glob(f"{provider}-*.json.gz"))
    if len(matches) != 1:
        raise FileNotFoundError(f"expected exactly one {provider}-<version>.json.gz in {directory}, found {matches}")
    return matches[0]


def _is_legacy(attr: dict[str, Any]) -> bool:
    return "type" not in attr and "nested_type" not in attr


# --- normalisation ---------------------------------------------------------------------------------------


def _normalize_attr(name: str, attr: dict[str, Any], top: bool) -> dict[str, Any]:
    a = dict(attr)
    if _is_legacy(a):
        if top and name == "id" and a.get("optional") and not a.get("computed"):
            a["computed"] = True
        if name.endswith("_wo") and "write_only" not in a:
            a["write_only"] = True
    nested = a.get("nested_type")
    if nested is not None:
        nt = dict(nested)
        nt["attributes"] = {n: _normalize_attr(n, s, False) for n, s in nested.get("attributes", {}).items()}
        a["nested_type"] = nt
        if nt.get("nesting_mode") == "set" and cty.has_dynamic(cty.attribute_type(a)):
            nt["nesting_mode"] = "list"
    if not (a.get("required") or a.get("optional") or a.get("computed")):
        a["optional"] = True
    return a


def file_is_legacy(data: dict[str, Any]) -> bool:
    """True for the untyped extract: no attribute of the provider block or of the first resources has a type."""
    blocks = [data.get("provider") or {}]
    for section in SECTIONS:
        blocks.extend(list(data.get(section, {}).values())[:50])
    return not any("type" in a for b in blocks for a in b.get("attributes", {}).values())


def normalize_block(block: dict[str, Any], top: bool = True, legacy: bool = False) -> dict[str, Any]:
    """A copy of ``block`` that Terraform accepts (see the module docstring for each rule)."""
    out: dict[str, Any] = {
        "attributes": {n: _normalize_attr(n, a, top) for n, a in block.get("attributes", {}).items()},
        "block_types": {},
    }
    for key in ("description", "deprecated"):
        if key in block:
            out[key] = block[key]
    for name, nb in block.get("block_types", {}).items():
        inner = normalize_block(nb.get("block", {}), top=False, legacy=legacy)
        mode = nb.get("nesting_mode", "list")
        if legacy and mode == "single" and name != "timeouts":  # SDKv2 and framework timeouts are single
            nb = {**nb, "nesting_mode": "list", "max_items": 1}
            mode = "list"
        if mode == "set" and cty.has_dynamic(cty.block_type(inner)):
            mode = "list"
        entry: dict[str, Any] = {"nesting_mode": mode, "block": inner}
        if mode in ("list", "set"):
            for k in ("min_items", "max_items"):
                if nb.get(k):
                    entry[k] = int(nb[k])
        elif mode == "single" and nb.get("min_items") == 1:
            entry["min_items"] = entry["max_items"] = 1
        out["block_types"][name] = entry
    return out


def provider_block(data: dict[str, Any], legacy: bool | None = None) -> dict[str, Any]:
    block = copy.deepcopy(data.get("provider") or FALLBACK_PROVIDER_BLOCK)
    block.get("attributes", {}).pop("alias", None)
    return normalize_block(block, legacy=file_is_legacy(data) if legacy is None else legacy)


# --- protobuf --------------------------------------------------------------------------------------------


def _pb_attribute(name: str, a: dict[str, Any]) -> pb.Schema.Attribute:
    msg = pb.Schema.Attribute(
        name=name,
        required=bool(a.get("required")),
        optional=bool(a.get("optional")),
        computed=bool(a.get("computed")),
        sensitive=bool(a.get("sensitive")),
        deprecated=bool(a.get("deprecated")),
        write_only=bool(a.get("write_only")),
        description=str(a.get("description", "")),
    )
    nested = a.get("nested_type")
    if nested is not None:
        msg.nested_type.CopyFrom(
            pb.Schema.Object(
                attributes=[_pb_attribute(n, s) for n, s in sorted(nested.get("attributes", {}).items())],
                nesting=_NESTING_OBJECT[nested.get("nesting_mode", "single")],
            )
        )
    else:
        ty = a.get("type")
        msg.type = cty.type_bytes(cty.DYNAMIC if ty is None else ty)
    return msg


def _pb_block(block: dict[str, Any]) -> pb.Schema.Block:
    return pb.Schema.Block(
        attributes=[_pb_attribute(n, a) for n, a in sorted(block["attributes"].items())],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=n,
                block=_pb_block(nb["block"]),
                nesting=_NESTING_BLOCK[nb["nesting_mode"]],
                min_items=nb.get("min_items", 0),
                max_items=nb.get("max_items", 0),
            )
            for n, nb in sorted(block["block_types"].items())
        ],
        deprecated=bool(block.get("deprecated")),
        description=str(block.get("description", "")),
    )


def _pb_schema(block: dict[str, Any], version: int = 0) -> pb.Schema:
    return pb.Schema(version=version, block=_pb_block(block))


def build_schema_response(data: dict[str, Any]) -> pb.GetProviderSchema.Response:
    legacy = file_is_legacy(data)
    resp = pb.GetProviderSchema.Response(provider=_pb_schema(provider_block(data, legacy)))
    resp.server_capabilities.plan_destroy = True
    for name, block in data.get("resource_schemas", {}).items():
        resp.resource_schemas[name].CopyFrom(
            _pb_schema(normalize_block(block, legacy=legacy), int(block.get("version", 0)))
        )
    for name, block in data.get("data_source_schemas", {}).items():
        block = apply_known_types(block, KNOWN_TYPES.get(("data_source_schemas", name), {}))
        resp.data_source_schemas[name].CopyFrom(_pb_schema(normalize_block(block, legacy=legacy)))
    for name, block in data.get("ephemeral_resource_schemas", {}).items():
        resp.ephemeral_resource_schemas[name].CopyFrom(_pb_schema(normalize_block(block, legacy=legacy)))
    return resp


def build_metadata_response(data: dict[str, Any]) -> pb.GetMetadata.Response:
    resp = pb.GetMetadata.Response(
        resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in sorted(data.get("resource_schemas", {}))],
        data_sources=[
            pb.GetMetadata.DataSourceMetadata(type_name=n) for n in sorted(data.get("data_source_schemas", {}))
        ],
        ephemeral_resources=[
            pb.GetMetadata.EphemeralMetadata(type_name=n) for n in sorted(data.get("ephemeral_resource_schemas", {}))
        ],
    )
    resp.server_capabilities.plan_destroy = True
    return resp


# --- loading and cache -----------------------------------------------------------------------------------


def _code_fingerprint() -> str:
    h = hashlib.sha256()
    for mod in ("schema.py", "cty.py"):
        h.update((Path(__file__).parent / mod).read_bytes())
    return h.hexdigest()[:16]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class ProviderSchema:
    """One provider's schema file, loaded lazily; serialized responses read from / written to ``cache_dir``."""

    path: Path
    cache_dir: Path | None = None
    _raw: bytes | None = None
    _data: dict[str, Any] | None = None
    _blocks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _types: dict[tuple[str, str], cty.CtyType] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _legacy: bool | None = None

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = self.path.read_bytes()
        return self._raw

    @property
    def data(self) -> dict[str, Any]:
        with self._lock:
            if self._data is None:
                loaded: dict[str, Any] = json.loads(gzip.decompress(self.raw))
                self._data = loaded
            return self._data

    @property
    def name(self) -> str:
        return self.path.name.split("-", 1)[0]

    @property
    def version(self) -> str:
        return self.path.name[len(self.name) + 1 : -len(".json.gz")]

    def cache_key(self) -> str:
        return f"{hashlib.sha256(self.raw).hexdigest()[:16]}-{_code_fingerprint()}"

    def _cached(self, what: str, build: Any) -> bytes:
        target = None
        if self.cache_dir is not None:
            target = self.cache_dir / f"{self.path.name[: -len('.json.gz')]}.{what}.{self.cache_key()}.pb"
            if target.is_file():
                return target.read_bytes()
        blob: bytes = build(self.data).SerializeToString(deterministic=True)
        if target is not None:
            _atomic_write(target, blob)
        return blob

    def schema_response_bytes(self) -> bytes:
        return self._cached("schema", build_schema_response)

    def metadata_response_bytes(self) -> bytes:
        return self._cached("metadata", build_metadata_response)

    def warm_cache(self) -> None:
        self.schema_response_bytes()
        self.metadata_response_bytes()

    # per-type lookups (section: "resource_schemas" | "data_source_schemas" | "ephemeral_resource_schemas" |
    # "provider")
    def block(self, section: str, type_name: str = "") -> dict[str, Any] | None:
        key = (section, type_name)
        if key not in self._blocks:
            if section == "provider":
                self._blocks[key] = provider_block(self.data)
            else:
                raw = self.data.get(section, {}).get(type_name)
                if raw is None:
                    return None
                raw = apply_known_types(raw, KNOWN_TYPES.get((section, type_name), {}))
                if self._legacy is None:
                    self._legacy = file_is_legacy(self.data)
                self._blocks[key] = normalize_block(raw, legacy=self._legacy)
        return self._blocks[key]

    def implied_type(self, section: str, type_name: str = "") -> cty.CtyType:
        key = (section, type_name)
        if key not in self._types:
            block = self.block(section, type_name)
            if block is None:
                raise KeyError(f"{self.name}: no {section[:-8].replace('_', ' ')} type {type_name!r}")
            self._types[key] = cty.block_type(block)
        return self._types[key]
