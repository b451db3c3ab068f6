#!/usr/bin/env python3
"""Compare an extracted schema with a genuine ``terraform providers schema -json`` dump.

usage: compare_dump.py SCHEMA(.json[.gz]) DUMP [--types FILE] [--list KIND] [--json OUT]

SCHEMA is a file written by ``jsii_to_schema.py``. DUMP is either the JSON written by
``terraform providers schema -json`` (any number of providers; the one whose source matches
SCHEMA's ``provider_source`` is used) or a folder split one JSON per type, as in
vadirajks/terraform-provider-schema-exporter (``provider/block.json``,
``resource_schemas/<type>.json``, ``data_source_schemas/...``, ``ephemeral_resource_schemas/...``,
each ``{"version": N, "block": BLOCK}``).

For every type present in both, the blocks are walked in parallel and each difference is
reported with a kind: attribute/block only on one side, attribute-vs-block, type, flags
(required/optional/computed), sensitive, write_only, deprecated, nesting_mode, min_items,
max_items. Paths under an opaque block or a ``recursive_ref`` are not compared. ``--types``
limits the comparison to the type names listed in FILE (``resource aws_vpc`` / ``data aws_iam_policy_document`` /
``ephemeral random_password`` / ``provider``, one a line). ``--list KIND`` prints every
difference of that kind; ``--json`` writes all differences.

Stdlib only; exit status 0 (differences are data, not errors), 2 for bad arguments/input.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

JsonDict = dict[str, Any]
SECTIONS = {
    "resource": "resource_schemas",
    "data": "data_source_schemas",
    "ephemeral": "ephemeral_resource_schemas",
}


class InputError(Exception):
    pass


def _load_json(path: Path) -> Any:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data)


def load_dump(path: Path, provider_source: str) -> JsonDict:
    """{"provider": BLOCK, "resource_schemas": {...}, ...} from a dump file or split folder."""
    out: JsonDict = {"provider": None, **{s: {} for s in SECTIONS.values()}}
    if path.is_dir():
        prov = path / "provider" / "block.json"
        if prov.is_file():
            out["provider"] = _load_json(prov)
        for section in SECTIONS.values():
            folder = path / section
            for f in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                doc = _load_json(f)
                out[section][f.stem] = doc.get("block", doc)
        return out
    doc = _load_json(path)
    schemas = doc.get("provider_schemas", {})
    if provider_source not in schemas:
        raise InputError(f"{path}: no provider {provider_source} in provider_schemas (has: {', '.join(schemas)})")
    raw = schemas[provider_source]
    out["provider"] = raw.get("provider", {}).get("block")
    for section in SECTIONS.values():
        out[section] = {k: v.get("block", {}) for k, v in raw.get(section, {}).items()}
    return out


def _flags(attr: JsonDict) -> str:
    return "+".join(f for f in ("required", "optional", "computed") if attr.get(f)) or "none"


def implied_type(attr: JsonDict) -> Any:
    """cty type of an attribute; a nested_type becomes its implied object collection type."""
    if "type" in attr:
        return attr["type"]
    nested = attr.get("nested_type")
    if not isinstance(nested, dict):
        return None
    obj = ["object", {n: implied_type(a) for n, a in nested.get("attributes", {}).items()}]
    mode = nested.get("nesting_mode", "single")
    return obj if mode == "single" else [mode, obj]


def type_diffs(ours: Any, real: Any, path: str) -> list[tuple[str, str, str]]:
    """(kind, path, detail) for every place two cty types differ."""
    if ours == real:
        return []
    if isinstance(ours, list) and isinstance(real, list) and ours and real:
        if ours[0] == "object" and real[0] == "object":
            out: list[tuple[str, str, str]] = []
            a, b = ours[1], real[1]
            for k in sorted(set(a) | set(b)):
                if k not in b:
                    out.append(("type:object-key-only-ours", f"{path}.{k}", ""))
                elif k not in a:
                    out.append(("type:object-key-only-dump", f"{path}.{k}", ""))
                else:
                    out.extend(type_diffs(a[k], b[k], f"{path}.{k}"))
            return out
        if ours[0] != real[0] and {ours[0], real[0]} <= {"list", "set", "map"}:
            rest = type_diffs(ours[1], real[1], f"{path}[]")
            return [(f"type:{ours[0]}-vs-{real[0]}", path, f"ours {ours[0]}, dump {real[0]}"), *rest]
        if ours[0] == real[0] and ours[0] in ("list", "set", "map"):
            return type_diffs(ours[1], real[1], f"{path}[]")
    return [("type:other", path, f"ours {json.dumps(ours)}, dump {json.dumps(real)}")]


def compare_block(ours: JsonDict, real: JsonDict, path: str, out: list[tuple[str, str, str]]) -> None:
    if "recursive_ref" in ours:
        out.append(("skipped:recursive_ref", path, str(ours["recursive_ref"])))
        return
    oa, ra = ours.get("attributes", {}), real.get("attributes", {})
    ob, rb = ours.get("block_types", {}), real.get("block_types", {})
    for name in sorted(set(oa) | set(ra) | set(ob) | set(rb)):
        p = f"{path}.{name}" if path else name
        if name in oa and name in rb:
            out.append(("attribute-vs-block", p, f"ours attribute, dump block({rb[name].get('nesting_mode')})"))
        elif name in ob and name in ra:
            out.append(("block-vs-attribute", p, f"ours block({ob[name].get('nesting_mode')}), dump attribute"))
        elif name in oa and name in ra:
            compare_attr(oa[name], ra[name], p, out)
        elif name in ob and name in rb:
            compare_blocktype(ob[name], rb[name], p, out)
        elif name in oa or name in ob:
            out.append(("only-ours", p, _flags(oa[name]) if name in oa else "block"))
        else:
            out.append(("only-dump", p, _flags(ra[name]) if name in ra else "block"))


def compare_attr(o: JsonDict, r: JsonDict, path: str, out: list[tuple[str, str, str]]) -> None:
    if _flags(o) != _flags(r):
        out.append(("flags", path, f"ours {_flags(o)}, dump {_flags(r)}"))
    for flag in ("sensitive", "write_only", "deprecated"):
        if bool(o.get(flag)) != bool(r.get(flag)):
            out.append((f"{flag}:{'only-ours' if o.get(flag) else 'only-dump'}", path, ""))
    if ("nested_type" in o) != ("nested_type" in r):
        out.append(("nested_type-vs-type", path, "ours nested_type" if "nested_type" in o else "dump nested_type"))
    if "nested_type" in o and "nested_type" in r:
        on, rn = o["nested_type"], r["nested_type"]
        if on.get("nesting_mode") != rn.get("nesting_mode"):
            out.append(("nesting_mode", path, f"ours {on.get('nesting_mode')}, dump {rn.get('nesting_mode')}"))
        compare_block(on, rn, path, out)
        return
    out.extend(type_diffs(implied_type(o), implied_type(r), path))


def compare_blocktype(o: JsonDict, r: JsonDict, path: str, out: list[tuple[str, str, str]]) -> None:
    if o.get("opaque"):
        out.append(("skipped:opaque", path, ""))
        return
    if o.get("nesting_mode") != r.get("nesting_mode"):
        out.append(("nesting_mode", path, f"ours {o.get('nesting_mode')}, dump {r.get('nesting_mode')}"))
    for key in ("min_items", "max_items"):
        ov, rv = o.get(key, 0), r.get(key, 0)
        if ov != rv:
            out.append((f"{key}", path, f"ours {ov}, dump {rv}"))
    compare_block(o.get("block", {}), r.get("block", {}), path, out)


def compare(schema: JsonDict, dump: JsonDict, only: set[str] | None) -> tuple[list[str], list[tuple[str, str, str]]]:
    compared: list[str] = []
    diffs: list[tuple[str, str, str]] = []
    pairs: list[tuple[str, JsonDict, JsonDict]] = []
    if dump.get("provider") is not None and (only is None or "provider" in only):
        pairs.append(("provider", schema.get("provider", {}), dump["provider"]))
    for kind, section in SECTIONS.items():
        for name in sorted(set(schema.get(section, {})) & set(dump.get(section, {}))):
            label = f"{kind} {name}"
            if only is None or label in only:
                pairs.append((label, schema[section][name], dump[section][name]))
    for label, ours, real in pairs:
        compared.append(label)
        compare_block(ours, real, label.replace(" ", ":", 1) if label != "provider" else "provider", diffs)
    return compared, diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="compare_dump.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("schema", type=Path)
    parser.add_argument("dump", type=Path)
    parser.add_argument("--types", type=Path, help="only these types (lines 'resource NAME', 'data NAME', 'provider')")
    parser.add_argument("--list", action="append", default=[], metavar="KIND", help="print every difference of KIND")
    parser.add_argument("--json", type=Path, help="write all differences as JSON")
    args = parser.parse_args(argv)
    try:
        schema = _load_json(args.schema)
        dump = load_dump(args.dump, str(schema.get("provider_source")))
        only = None
        if args.types:
            only = {ln.strip() for ln in args.types.read_text().splitlines() if ln.strip() and not ln.startswith("#")}
    except (OSError, ValueError, InputError) as exc:
        print(f"compare_dump: error: {exc}", file=sys.stderr)
        return 2
    compared, diffs = compare(schema, dump, only)
    in_schema = {s: len(schema.get(s, {})) for s in SECTIONS.values()}
    in_dump = {s: len(dump.get(s, {})) for s in SECTIONS.values()}
    print(f"schema {schema.get('provider_source')} {schema.get('provider_version')}: {in_schema}")
    print(f"dump: {in_dump}; compared {len(compared)} types")
    counts = Counter(k for k, _, _ in diffs)
    types_with = Counter(k for k, _p, _ in {(k, p.split(".", 1)[0], "") for k, p, _ in diffs})
    print(f"{'kind':40} {'differences':>12} {'types':>7}")
    for kind, n in sorted(counts.items()):
        print(f"{kind:40} {n:12} {types_with[kind]:7}")
    clean = len(compared) - len({p.split(".", 1)[0] for k, p, _ in diffs if not k.startswith("skipped")})
    print(f"types with no difference: {clean} of {len(compared)}")
    for kind in args.list:
        for k, p, d in diffs:
            if k == kind:
                print(f"{k}\t{p}\t{d}")
    if args.json:
        args.json.write_text(json.dumps([{"kind": k, "path": p, "detail": d} for k, p, d in diffs], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
