"""A small evaluator for the HCL expressions that matter to the offline checks.

Values are plain Python (str, int, float, bool, None, list, dict) plus two markers:

* :class:`Unknown` — not known before apply (or not modelled here), with the reason;
* :class:`Ref` — a reference to another object's attribute (``aws_route53_zone.this.zone_id``), kept
  symbolic so a check can follow it (its ``name`` argument, say).

Names are looked up through a resolver callback (``var``, ``local``, ``module``, ``data``, resource
types, ``each``, ``count``, ``terraform``, ``path``), so the same evaluator serves a layer root evaluated
for one client and a module evaluated with its caller's arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clientctl.iac import hclast as h


@dataclass(frozen=True)
class Unknown:
    reason: str


@dataclass(frozen=True)
class Ref:
    """``<address>.<path>``: e.g. address "aws_s3_bucket.logs", path ("arn",)."""

    address: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.address, *self.path))


@dataclass(frozen=True)
class Encoded:
    """Result of ``jsonencode(value)`` whose value is not fully known: keeps the structure."""

    value: Any


class EvalError(Exception):
    """The expression fails for a known reason (missing attribute, bad index...): what ``try()`` catches."""


Resolver = Callable[[str, list[str | h.Expr]], Any]

#: Sentinel: the resolver did not handle the root name.
NOT_FOUND = object()


def is_known(value: Any) -> bool:
    if isinstance(value, Unknown | Ref | Encoded):
        return False
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    return True


def first_unknown(value: Any) -> Unknown | Ref | None:
    if isinstance(value, Unknown | Ref):
        return value
    if isinstance(value, Encoded):
        return first_unknown(value.value)
    if isinstance(value, list):
        for v in value:
            found = first_unknown(v)
            if found is not None:
                return found
    if isinstance(value, dict):
        for v in value.values():
            found = first_unknown(v)
            if found is not None:
                return found
    return None


def to_str(value: Any) -> Any:
    """Terraform's string conversion; Unknown/Ref pass through."""
    if isinstance(value, Unknown | Ref):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, Encoded):
        return Unknown("jsonencode of a value that is not fully known")
    if value is None:
        raise EvalError("null value in a string template")
    raise EvalError(f"cannot convert {type(value).__name__} to string")


class Evaluator:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.scopes: list[dict[str, Any]] = []

    # ---- entry

    def eval(self, e: h.Expr) -> Any:
        method = getattr(self, "_" + type(e).__name__)
        return method(e)

    def steps(self, steps: list[str | h.Expr]) -> list[Any]:
        out: list[Any] = []
        for s in steps:
            out.append(s if isinstance(s, str) else self.eval(s))
        return out

    # ---- nodes

    def _Literal(self, e: h.Literal) -> Any:
        return e.value

    def _Template(self, e: h.Template) -> Any:
        if e.directive:
            return Unknown("template directive (%{...}) not evaluated")
        if len(e.parts) == 1 and not isinstance(e.parts[0], str):
            return self.eval(e.parts[0])  # "${x}" keeps x's type
        out: list[str] = []
        pending: Unknown | Ref | None = None
        for part in e.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = to_str(self.eval(part))
            if isinstance(value, Unknown | Ref):
                pending = pending or value
                out.append("\x00")
            else:
                out.append(value)
        if pending is not None:
            if isinstance(pending, Ref):
                return Unknown(f"string built from {pending}")
            return pending
        return "".join(out)

    def _Var(self, e: h.Var) -> Any:
        return self._traverse(e.name, [], e)

    def _GetAttr(self, e: h.Expr) -> Any:
        return self._trav_expr(e)

    def _Index(self, e: h.Expr) -> Any:
        return self._trav_expr(e)

    def _trav_expr(self, e: h.Expr) -> Any:
        trav = h.traversal(e)
        if trav is not None:
            return self._traverse(trav[0], trav[1], e)
        assert isinstance(e, h.GetAttr | h.Index)
        base = self.eval(e.obj)
        key: Any = e.name if isinstance(e, h.GetAttr) else self.eval(e.key)
        return get(base, key)

    def _traverse(self, root: str, steps: list[str | h.Expr], e: h.Expr) -> Any:
        for scope in reversed(self.scopes):
            if root in scope:
                value = scope[root]
                for s in self.steps(steps):
                    value = get(value, s)
                return value
        value = self.resolver(root, steps)
        if value is NOT_FOUND:
            raise EvalError(f"unknown name {root!r}")
        return value

    def _Splat(self, e: h.Splat) -> Any:
        base = self.eval(e.obj)
        if isinstance(base, Unknown | Ref):
            return Unknown(f"splat over {base}")
        items = base if isinstance(base, list) else [] if base is None else [base]
        out = []
        for item in items:
            v = item
            for _kind, x in e.rest:
                v = get(v, x if isinstance(x, str) else self.eval(x))
            out.append(v)
        return out

    def _Call(self, e: h.Call) -> Any:
        if e.name == "try":
            for arg in e.args:
                try:
                    return self.eval(arg)
                except EvalError:
                    continue
            raise EvalError("try(): every argument failed")
        if e.name == "can":
            try:
                v = self.eval(e.args[0])
            except EvalError:
                return False
            return True if is_known(v) else Unknown("can() of an unknown value")
        args = [self.eval(a) for a in e.args]
        if e.expand and args:
            last = args.pop()
            if not isinstance(last, list):
                return Unknown(f"{e.name}(...) expansion of an unknown list")
            args += last
        fn = FUNCTIONS.get(e.name)
        if fn is None:
            return Unknown(f"function {e.name}() not modelled")
        if e.name != "jsonencode" and e.name != "merge" and e.name != "concat":
            bad = next((a for a in args if isinstance(a, Unknown | Ref | Encoded)), None)
            if bad is not None:
                return bad if isinstance(bad, Unknown) else Unknown(f"{e.name}() of {bad}")
        try:
            return fn(*args)
        except EvalError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            raise EvalError(f"{e.name}(): {exc}") from exc

    def _TupleExpr(self, e: h.TupleExpr) -> Any:
        return [self.eval(i) for i in e.items]

    def _ObjectExpr(self, e: h.ObjectExpr) -> Any:
        out: dict[str, Any] = {}
        for k, v in e.items:
            if isinstance(k, h.Var):
                key: Any = k.name
            else:
                key = to_str(self.eval(k))
                if isinstance(key, Unknown | Ref):
                    return Unknown("object with a key not known statically")
            out[key] = self.eval(v)
        return out

    def _Conditional(self, e: h.Conditional) -> Any:
        cond = self.eval(e.cond)
        if isinstance(cond, Unknown | Ref):
            return Unknown(f"condition not known statically ({cond})")
        return self.eval(e.then) if cond else self.eval(e.other)

    def _BinOp(self, e: h.BinOp) -> Any:
        left = self.eval(e.left)
        if e.op == "&&" and left is False:
            return False
        if e.op == "||" and left is True:
            return True
        right = self.eval(e.right)
        for side in (left, right):
            if isinstance(side, Unknown | Ref | Encoded):
                return Unknown(f"operator {e.op} on a value not known statically")
        op = e.op
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op == "&&":
            return bool(left and right)
        if op == "||":
            return bool(left or right)
        lnum, rnum = _num(left), _num(right)
        if op == "+":
            return lnum + rnum
        if op == "-":
            return lnum - rnum
        if op == "*":
            return lnum * rnum
        if op == "/":
            return lnum / rnum
        if op == "%":
            return lnum % rnum
        if op == "<":
            return lnum < rnum
        if op == ">":
            return lnum > rnum
        if op == "<=":
            return lnum <= rnum
        return lnum >= rnum

    def _UnOp(self, e: h.UnOp) -> Any:
        v = self.eval(e.operand)
        if isinstance(v, Unknown | Ref):
            return Unknown(f"operator {e.op} on a value not known statically")
        return (not v) if e.op == "!" else -_num(v)

    def _ForExpr(self, e: h.ForExpr) -> Any:
        coll = self.eval(e.collection)
        if not is_known(coll) and not isinstance(coll, list | dict):
            return Unknown("for expression over a collection not known statically")
        pairs: list[tuple[Any, Any]] = (
            list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll)) if isinstance(coll, list) else []
        )
        list_out: list[Any] = []
        obj_out: dict[str, Any] = {}
        for k, v in pairs:
            scope = {e.value_var: v}
            if e.key_var is not None:
                scope[e.key_var] = k
            self.scopes.append(scope)
            try:
                if e.cond is not None:
                    c = self.eval(e.cond)
                    if isinstance(c, Unknown | Ref):
                        return Unknown("for expression filter not known statically")
                    if not c:
                        continue
                if e.key is None:
                    list_out.append(self.eval(e.value))
                else:
                    key = to_str(self.eval(e.key))
                    if isinstance(key, Unknown | Ref):
                        return Unknown("for expression key not known statically")
                    value = self.eval(e.value)
                    if e.grouping:
                        obj_out.setdefault(key, []).append(value)
                    else:
                        obj_out[key] = value
            finally:
                self.scopes.pop()
        return list_out if e.key is None else obj_out


def _num(v: Any) -> Any:
    if isinstance(v, bool):
        raise EvalError("arithmetic on a bool")
    if isinstance(v, int | float):
        return v
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError as exc:
                raise EvalError(f"not a number: {v!r}") from exc
    raise EvalError(f"not a number: {v!r}")


def get(value: Any, key: Any) -> Any:
    """``value.key`` / ``value[key]`` with Terraform's errors as EvalError."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return Ref(value.address, (*value.path, str(key)))
    if isinstance(key, Unknown | Ref):
        return Unknown(f"index not known statically ({key})")
    if isinstance(value, Mapping):
        skey = to_str(key)
        if skey not in value:
            raise EvalError(f"no attribute or key {skey!r}")
        return value[skey]
    if isinstance(value, list):
        try:
            return value[int(key)]
        except (ValueError, IndexError) as exc:
            raise EvalError(f"bad index {key!r}") from exc
    if value is None:
        raise EvalError(f"attribute {key!r} of null")
    raise EvalError(f"cannot index a {type(value).__name__} with {key!r}")


# --------------------------------------------------------------------------- functions


def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if isinstance(m, Unknown | Ref | Encoded):
            return Unknown("merge() of a map not known statically")
        if not isinstance(m, dict):
            raise EvalError("merge() of a non-map")
        out.update(m)
    return out


def _concat(*lists: Any) -> Any:
    out: list[Any] = []
    for x in lists:
        if not isinstance(x, list):
            return Unknown("concat() of a list not known statically")
        out += x
    return out


def _jsonencode(value: Any) -> Any:
    if is_known(value):
        return json.dumps(value, separators=(",", ":"))
    return Encoded(value)


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, dict) and key in m:
        return m[key]
    if default:
        return default[0]
    raise EvalError(f"lookup(): no key {key!r}")


def _format(fmt: str, *args: Any) -> str:
    out = fmt.replace("%%", "\x01")
    for a in args:
        for spec in ("%s", "%d", "%v"):
            if spec in out:
                out = out.replace(spec, str(to_str(a)), 1)
                break
    return out.replace("\x01", "%")


def _regex(pattern: str, text: str) -> Any:
    """regex(): the first match (whole match, or the groups). RE2 classes Python's re lacks (``\\p{L}``) make
    the result unknown rather than wrong."""
    import re

    try:
        found = re.search(pattern, text)
    except re.error:
        return Unknown(f"regex({pattern!r}) not supported here")
    if found is None:
        raise EvalError(f"regex(): no match for {pattern!r}")
    if found.groups():
        return found.groupdict() or list(found.groups())
    return found.group(0)


def _coalesce(*args: Any) -> Any:
    for a in args:
        if a is not None and a != "":
            return a
    raise EvalError("coalesce(): no non-null argument")


def _flatten(x: list[Any]) -> list[Any]:
    out: list[Any] = []
    for i in x:
        out += _flatten(i) if isinstance(i, list) else [i]
    return out


def _one(x: list[Any]) -> Any:
    if len(x) > 1:
        raise EvalError("one(): more than one element")
    return x[0] if x else None


def _file(path: str) -> str:
    # file() of a document next to the module (e.g. an IAM policy JSON): read it as Terraform would.
    return Path(path).read_text(encoding="utf-8")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "file": _file,
    "jsonencode": _jsonencode,
    "jsondecode": lambda s: json.loads(s),
    "merge": _merge,
    "concat": _concat,
    "lookup": _lookup,
    "format": _format,
    "join": lambda sep, items: sep.join(str(to_str(i)) for i in items),
    "split": lambda sep, s: s.split(sep),
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "replace": lambda s, a, b: s.replace(a, b),
    "contains": lambda items, v: v in items,
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "length": lambda x: len(x),
    "tostring": lambda x: to_str(x),
    "tonumber": _num,
    "tobool": lambda x: x if isinstance(x, bool) else x == "true",
    "toset": lambda x: sorted(set(x), key=str),
    "tolist": lambda x: list(x),
    "tomap": lambda x: dict(x),
    "coalesce": _coalesce,
    "compact": lambda x: [i for i in x if i not in (None, "")],
    "flatten": _flatten,
    "distinct": lambda x: list(dict.fromkeys(x)),
    "element": lambda x, i: x[int(i) % len(x)],
    "zipmap": lambda k, v: dict(zip(k, v, strict=True)),
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "trimprefix": lambda s, p: s[len(p) :] if s.startswith(p) else s,
    "trimsuffix": lambda s, p: s[: -len(p)] if p and s.endswith(p) else s,
    "trimspace": lambda s: s.strip(),
    "min": lambda *a: min(a),
    "max": lambda *a: max(a),
    "one": _one,
    "sort": lambda x: sorted(x),
    "setunion": lambda *xs: sorted({i for x in xs for i in x}, key=str),
    "substr": lambda s, o, n: s[int(o) : int(o) + int(n)] if int(n) >= 0 else s[int(o) :],
    "alltrue": lambda x: all(v is True or v == "true" for v in x),
    "anytrue": lambda x: any(v is True or v == "true" for v in x),
    "setsubtract": lambda a, b: sorted(set(a) - set(b), key=str),
    "regex": _regex,
}
