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

Stdlib only. See src/clientctl/iac/schemas/README.md for how the committed data was made.
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
from typing import Any, Final

JsonDict = dict[str, Any]

GZIP_MAGIC: Final = b"\x1f\x8b"
LINK_RE: Final = re.compile(r"\{@link (\S+) ([^}]+)\}")
PROVIDER_URL_RE: Final = re.compile(r"providers/([^/]+)/([^/]+)/([^/]+)/docs")
JS_CLASS_RE: Final = re.compile(
    r"^class (\w+) extends \w+\.Terraform(Resource|DataSource|EphemeralResource|Provider) \{\n(.*?)^\}",
    re.M | re.S,
)
JS_TFTYPE_RE: Final = re.compile(r'static tfResourceType = "([^"]+)";')
JS_ATTR_RES: Final = (
    re.compile(r"this\.get\w*Attribute\('([^']+)'\)"),
    re.compile(r"this\.interpolationForAttribute\('([^']+)'\)"),
    re.compile(r'new (?:\w+\.)?\w+\(this, "([^"]+)"'),
)
BASE_KINDS: Final = {
    "TerraformResource": "resource_schemas",
    "TerraformDataSource": "data_source_schemas",
    "TerraformEphemeralResource": "ephemeral_resource_schemas",
}
JS_KINDS: Final = {
    "Resource": "resource_schemas",
    "DataSource": "data_source_schemas",
    "EphemeralResource": "ephemeral_resource_schemas",
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
            if len(parts) == 4 and parts[:2] == ["package", "lib"] and parts[3] == "index.js":
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


# --------------------------------------------------------------------------- structs


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


class Extractor:
    def __init__(self, assembly: JsonDict) -> None:
        self.types: dict[str, JsonDict] = assembly["types"]
        self.prefix = f"{assembly['name']}."
        self.opaque_paths: list[str] = []
        self.recursive_paths: list[str] = []

    def _is_local_struct(self, fqn: object) -> bool:
        if not isinstance(fqn, str) or not fqn.startswith(self.prefix):
            return False
        return bool(self.types.get(fqn, {}).get("datatype"))

    def _classify(self, type_ref: JsonDict) -> tuple[str, str] | None:
        """("single"|"list"|"map", struct fqn) for struct-valued properties, else None."""
        if self._is_local_struct(type_ref.get("fqn")):
            return "single", str(type_ref["fqn"])
        candidates = [type_ref]
        union = type_ref.get("union")
        if isinstance(union, dict):
            candidates = list(union.get("types", []))
        for cand in candidates:
            coll = cand.get("collection") if isinstance(cand, dict) else None
            if isinstance(coll, dict):
                elem = coll.get("elementtype", {})
                if isinstance(elem, dict) and self._is_local_struct(elem.get("fqn")):
                    return ("list" if coll.get("kind") == "array" else "map"), str(elem["fqn"])
        return None

    def _properties(self, fqn: str, seen: set[str] | None = None) -> list[JsonDict]:
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

    def build_block(self, fqn: str, path: str, stack: dict[str, str]) -> JsonDict:
        """BLOCK for struct *fqn*; *stack* maps ancestor struct fqn -> its dotted path."""
        if fqn in stack:
            self.recursive_paths.append(path)
            return {"recursive_ref": stack[fqn]}
        stack = {**stack, fqn: path}
        attributes: JsonDict = {}
        block_types: JsonDict = {}
        for prop in self._properties(fqn):
            name = terraform_name(prop)
            required = not prop.get("optional", False)
            summary = str(prop.get("docs", {}).get("summary", "")).strip()
            is_block = summary.endswith(" block.")
            kind = self._classify(prop.get("type", {}))
            sub_path = f"{path}.{name}" if path else name
            if is_block and kind is not None and kind[0] != "map":
                entry: JsonDict = {"nesting_mode": kind[0], "block": self.build_block(kind[1], sub_path, stack)}
                if required:
                    entry["min_items"] = 1
                block_types[name] = entry
            elif is_block and prop.get("type", {}).get("primitive") == "any":
                self.opaque_paths.append(sub_path)
                entry = {"nesting_mode": "list", "opaque": True, "block": {}}
                if required:
                    entry["min_items"] = 1
                block_types[name] = entry
            elif kind is not None:
                inner = self.build_block(kind[1], sub_path, stack)
                attr: JsonDict = {"required" if required else "optional": True}
                attr["nested_type"] = {"nesting_mode": kind[0], **inner}
                attributes[name] = attr
            else:
                attributes[name] = {"required" if required else "optional": True}
        block: JsonDict = {}
        if attributes:
            block["attributes"] = attributes
        if block_types:
            block["block_types"] = block_types
        return block


# --------------------------------------------------------------------------- main pass


def _config_fqn(cls: JsonDict, cls_fqn: str) -> str:
    for param in cls.get("initializer", {}).get("parameters", []):
        if param.get("name") == "config":
            fqn = param.get("type", {}).get("fqn")
            if isinstance(fqn, str):
                return fqn
    raise ExtractError(f"{cls_fqn}: initializer has no 'config' parameter with a struct type")


def extract(pkg: Package, warn: list[str], notes: list[str] | None = None) -> JsonDict:
    assembly = pkg.assembly
    ex = Extractor(assembly)
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
        ns, _, base_name = base.rpartition(".")
        if base_name == "TerraformProvider":
            section = "provider"
        elif ns in ("cdktn", "cdktf") and base_name in BASE_KINDS:
            section = BASE_KINDS[base_name]
        else:
            continue
        link = LINK_RE.search(str(cls.get("docs", {}).get("summary", "")))
        if link is None:
            warn.append(f"{cls_fqn}: no {{@link}} in docs.summary; skipped")
            continue
        url, tf_name = link.group(1), link.group(2).strip()
        block = ex.build_block(_config_fqn(cls, cls_fqn), "", {})
        if section == "provider":
            m = PROVIDER_URL_RE.search(url)
            if m is None:
                raise ExtractError(f"{cls_fqn}: cannot read provider source/version from {url}")
            out["provider_source"] = f"registry.terraform.io/{m.group(1)}/{m.group(2)}"
            out["provider_version"] = m.group(3)
            out["provider"] = block
        elif tf_name in out[section]:
            warn.append(f"{cls_fqn}: duplicate {section} type {tf_name}; first kept")
        else:
            out[section][tf_name] = block
    if notes is not None:
        notes.extend(f"opaque block (typed any, contents unchecked): {p}" for p in ex.opaque_paths)
        notes.extend(f"recursive struct cut with recursive_ref: {p}" for p in ex.recursive_paths)
    if out["provider_source"] is None:
        raise ExtractError(f"{pkg.label}: no class extending TerraformProvider; not a prebuilt provider package")
    return out


def add_computed(out: JsonDict, js_files: dict[str, str]) -> int:
    """Add top-level computed-only attribute names found in the compiled JS classes."""
    added = 0
    for path in sorted(js_files):
        for m in JS_CLASS_RE.finditer(js_files[path]):
            kind, body = m.group(2), m.group(3)
            if kind not in JS_KINDS:
                continue
            tf_type = JS_TFTYPE_RE.search(body)
            if tf_type is None:
                continue
            block = out[JS_KINDS[kind]].get(tf_type.group(1))
            if block is None:
                continue
            attrs = block.setdefault("attributes", {})
            blocks = block.get("block_types", {})
            for regex in JS_ATTR_RES:
                for name in regex.findall(body):
                    if name not in attrs and name not in blocks:
                        attrs[name] = {"computed": True}
                        added += 1
    return added


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
    parser.add_argument("--no-computed", action="store_true", help="skip the computed-attribute pass over the JS files")
    args = parser.parse_args(argv)
    try:
        pkg = read_package(args.input)
        warnings: list[str] = []
        notes: list[str] = []
        out = extract(pkg, warnings, notes)
        if args.no_computed:
            print("computed-only attributes: skipped (--no-computed)", file=sys.stderr)
        elif pkg.js_files:
            print(f"computed-only attributes added from JS: {add_computed(out, pkg.js_files)}", file=sys.stderr)
        else:
            print("computed-only attributes: none (input has no JS files)", file=sys.stderr)
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
