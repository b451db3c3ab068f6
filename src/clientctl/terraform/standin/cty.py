"""cty values on the wire: the msgpack and JSON encodings Terraform uses for ``DynamicValue``.

Types are kept in their cty JSON form (``"string"``, ``["list", "string"]``, ``["object", {...}]``...), which
is also what the schema's ``type`` bytes and a dynamic value's type prefix contain.

Python representation of a value:

* ``None`` is null, :data:`UNKNOWN` is an unknown value (msgpack extension 0; refined unknowns, extension 12,
  decode to it too, refinements dropped);
* ``str``, ``bool``, ``int``/``float`` for primitives; ``list`` for list/set/tuple; ``dict`` for map/object
  (an object always carries every attribute);
* a value at a ``"dynamic"`` position is a :class:`Dyn` holding its concrete type (on the wire
  ``[type JSON bytes, value]``), except null and unknown, which are sent bare.

Rules from go-cty ``cty/msgpack`` (marshal.go / unmarshal.go) and Terraform's
``internal/configs/configschema`` (implied types of blocks): a list or map *block* whose content contains a
dynamic type is itself dynamic (a tuple or object value), see :func:`block_type`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import msgpack

CtyType = Any  # str | list[Any] (cty JSON type form)

STRING: Final = "string"
NUMBER: Final = "number"
BOOL: Final = "bool"
DYNAMIC: Final = "dynamic"


class _Unknown:
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


@dataclass(frozen=True)
class Dyn:
    """A value at a dynamically-typed position, with its concrete type."""

    ty: CtyType
    value: Any


class CtyError(ValueError):
    """A value does not match the type it is decoded or encoded with."""


# --- types -----------------------------------------------------------------------------------------------


def kind(ty: CtyType) -> str:
    return ty if isinstance(ty, str) else str(ty[0])


def has_dynamic(ty: CtyType) -> bool:
    if isinstance(ty, str):
        return ty == DYNAMIC
    k = ty[0]
    if k in ("list", "set", "map"):
        return has_dynamic(ty[1])
    if k == "object":
        return any(has_dynamic(t) for t in ty[1].values())
    if k == "tuple":
        return any(has_dynamic(t) for t in ty[1])
    raise CtyError(f"unknown type {ty!r}")


def strip_optional(ty: CtyType) -> CtyType:
    """Drop the optional-attribute marker (``["object", {...}, ["a"]]``) everywhere: wire types never carry it."""
    if isinstance(ty, str):
        return ty
    k = ty[0]
    if k in ("list", "set", "map"):
        return [k, strip_optional(ty[1])]
    if k == "object":
        return ["object", {n: strip_optional(t) for n, t in ty[1].items()}]
    if k == "tuple":
        return ["tuple", [strip_optional(t) for t in ty[1]]]
    raise CtyError(f"unknown type {ty!r}")


def type_bytes(ty: CtyType) -> bytes:
    return json.dumps(ty, separators=(",", ":"), sort_keys=True).encode()


def attribute_type(attr: dict[str, Any]) -> CtyType:
    """The wire type of one schema attribute (``type`` or ``nested_type``; a missing type is ``dynamic``)."""
    nested = attr.get("nested_type")
    if nested is not None:
        obj = ["object", {n: attribute_type(a) for n, a in nested.get("attributes", {}).items()}]
        mode = nested.get("nesting_mode", "single")
        if mode == "single":
            return obj
        return [mode, obj]
    ty = attr.get("type")
    return DYNAMIC if ty is None else strip_optional(ty)


def block_type(block: dict[str, Any]) -> CtyType:
    """The implied (wire) type of a schema block, as Terraform's configschema computes it."""
    attrs: dict[str, CtyType] = {n: attribute_type(a) for n, a in block.get("attributes", {}).items()}
    for name, nb in block.get("block_types", {}).items():
        inner = block_type(nb.get("block", {}))
        mode = nb.get("nesting_mode", "list")
        if mode in ("single", "group"):
            attrs[name] = inner
        elif mode in ("list", "map"):
            # BlockTupleSpec / BlockObjectSpec: dynamic when the content has dynamic types.
            attrs[name] = DYNAMIC if has_dynamic(inner) else [mode, inner]
        elif mode == "set":
            attrs[name] = ["set", inner]
        else:
            raise CtyError(f"block {name!r}: unknown nesting mode {mode!r}")
    return ["object", attrs]


def infer_type(value: Any) -> CtyType:
    """A cty type for a plain Python value placed at a dynamic position."""
    if isinstance(value, Dyn):
        return value.ty
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float | Decimal):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        types = [infer_type(v) for v in value]
        if not types:
            return ["list", STRING]
        if all(t == types[0] for t in types):
            return ["list", types[0]]
        return ["tuple", types]
    if isinstance(value, dict):
        types_by_key = {k: infer_type(v) for k, v in value.items()}
        distinct = list(types_by_key.values())
        if distinct and all(t == distinct[0] and isinstance(t, str) for t in distinct):
            return ["map", distinct[0]]
        if not distinct:
            return ["map", STRING]
        return ["object", types_by_key]
    if value is None:
        return DYNAMIC
    raise CtyError(f"cannot infer a cty type for {value!r}")


# --- msgpack ---------------------------------------------------------------------------------------------


def _ext_hook(code: int, data: bytes) -> Any:
    if code in (0, 12):
        return UNKNOWN
    raise CtyError(f"unexpected msgpack extension type {code}")


def decode_msgpack(raw: bytes, ty: CtyType) -> Any:
    if not raw:
        return None
    obj = msgpack.unpackb(raw, raw=False, ext_hook=_ext_hook, strict_map_key=False)
    return from_wire(obj, ty)


def _number(obj: Any) -> int | float | Decimal:
    if isinstance(obj, bool):
        raise CtyError(f"expected a number, got {obj!r}")
    if isinstance(obj, int | float):
        return obj
    if isinstance(obj, str | bytes):
        text = obj.decode() if isinstance(obj, bytes) else obj
        d = Decimal(text)
        return int(d) if d == d.to_integral_value() and "e" not in text.lower() and "." not in text else d
    raise CtyError(f"expected a number, got {obj!r}")


def from_wire(obj: Any, ty: CtyType) -> Any:
    """Turn an unpacked msgpack (or JSON) structure into our value form, guided by ``ty``."""
    if obj is None or obj is UNKNOWN:
        return obj
    k = kind(ty)
    if k == DYNAMIC:
        if isinstance(obj, list) and len(obj) == 2 and isinstance(obj[0], bytes | str):
            inner_ty = json.loads(obj[0])
            return Dyn(inner_ty, from_wire(obj[1], inner_ty))
        raise CtyError(f"dynamic value without type prefix: {obj!r}")
    if k == STRING:
        if isinstance(obj, bytes):
            return obj.decode()
        if not isinstance(obj, str):
            raise CtyError(f"expected a string, got {obj!r}")
        return obj
    if k == NUMBER:
        return _number(obj)
    if k == BOOL:
        if not isinstance(obj, bool):
            raise CtyError(f"expected a bool, got {obj!r}")
        return obj
    if k in ("list", "set"):
        return [from_wire(v, ty[1]) for v in obj]
    if k == "tuple":
        return [from_wire(v, t) for v, t in zip(obj, ty[1], strict=True)]
    if k == "map":
        return {str(key): from_wire(v, ty[1]) for key, v in obj.items()}
    if k == "object":
        attrs: dict[str, CtyType] = ty[1]
        return {name: from_wire(obj.get(name), aty) for name, aty in attrs.items()}
    raise CtyError(f"unknown type {ty!r}")


def to_wire(value: Any, ty: CtyType) -> Any:
    """The msgpack-ready structure for ``value`` of type ``ty`` (unknown becomes extension 0)."""
    if value is None:
        return None
    if value is UNKNOWN:
        return msgpack.ExtType(0, b"")
    k = kind(ty)
    if k == DYNAMIC:
        dyn = value if isinstance(value, Dyn) else Dyn(infer_type(value), value)
        return [type_bytes(dyn.ty), to_wire(dyn.value, dyn.ty)]
    if isinstance(value, Dyn):  # a concrete position given a Dyn: unwrap (types agree by construction)
        return to_wire(value.value, ty)
    if k == STRING:
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise CtyError(f"expected a string, got {value!r}")
        return value if isinstance(value, str) else str(value)
    if k == NUMBER:
        if isinstance(value, bool):
            raise CtyError(f"expected a number, got {value!r}")
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else str(value)
        if isinstance(value, str):
            return to_wire(_number(value), ty)
        return value
    if k == BOOL:
        if not isinstance(value, bool):
            raise CtyError(f"expected a bool, got {value!r}")
        return value
    if k in ("list", "set"):
        return [to_wire(v, ty[1]) for v in value]
    if k == "tuple":
        return [to_wire(v, t) for v, t in zip(value, ty[1], strict=True)]
    if k == "map":
        return {key: to_wire(v, ty[1]) for key, v in value.items()}
    if k == "object":
        attrs: dict[str, CtyType] = ty[1]
        return {name: to_wire(value.get(name), aty) for name, aty in attrs.items()}
    raise CtyError(f"unknown type {ty!r}")


def encode_msgpack(value: Any, ty: CtyType) -> bytes:
    packed: bytes = msgpack.packb(to_wire(value, ty), use_bin_type=True)
    return packed


# --- JSON (state as Terraform stores it) -----------------------------------------------------------------


def from_state_json(obj: Any, ty: CtyType) -> Any:
    """Decode cty JSON (a dynamic value is ``{"value": ..., "type": ...}``) into our value form."""
    if obj is None:
        return None
    k = kind(ty)
    if k == DYNAMIC:
        if isinstance(obj, dict) and set(obj) == {"value", "type"}:
            return Dyn(obj["type"], from_state_json(obj["value"], obj["type"]))
        raise CtyError(f"dynamic value in state without type: {obj!r}")
    if k in ("list", "set"):
        return [from_state_json(v, ty[1]) for v in obj]
    if k == "tuple":
        return [from_state_json(v, t) for v, t in zip(obj, ty[1], strict=True)]
    if k == "map":
        return {key: from_state_json(v, ty[1]) for key, v in obj.items()}
    if k == "object":
        return {name: from_state_json(obj.get(name), aty) for name, aty in ty[1].items()}
    return from_wire(obj, ty)


# --- helpers ---------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """The value with every :class:`Dyn` wrapper removed (unknowns kept)."""
    if isinstance(value, Dyn):
        return plain(value.value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def is_wholly_known(value: Any) -> bool:
    if value is UNKNOWN:
        return False
    if isinstance(value, Dyn):
        return is_wholly_known(value.value)
    if isinstance(value, list):
        return all(is_wholly_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_wholly_known(v) for v in value.values())
    return True


def canonical_json(value: Any) -> str:
    """A stable text form of a (known or partly unknown) value, for hashing."""

    def conv(v: Any) -> Any:
        if v is UNKNOWN:
            return "<unknown>"
        if isinstance(v, Dyn):
            return conv(v.value)
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    return json.dumps(conv(value), sort_keys=True, separators=(",", ":"))
