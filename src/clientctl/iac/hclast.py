"""A small HCL native-syntax parser that keeps expressions and line numbers.

python-hcl2 answers "does this file parse" and feeds the provider-schema checker, but it turns
expressions into lossy strings (``"${jsonencode({'a': ...})}"``) and gives lines for top-level blocks
only. The wiring and isolation checks need real expression trees (to follow ``local.client.names.x``,
evaluate ``jsonencode(...)`` policy documents, ...) and a line for every argument, so this module parses
the subset of HCL that Terraform code uses: bodies (attributes and labelled blocks), literals, string
templates and heredocs (``%{}`` directives kept as opaque parts), traversals, index and splat, function
calls, tuples, objects, ``for`` expressions, conditionals, unary and binary operators.

It is not a validator: anything it cannot parse raises :class:`HclSyntaxError` with the line, and callers
report that as "unverifiable" (python-hcl2 stays the judge of syntax).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool | None
    line: int


@dataclass(frozen=True)
class Template:
    """A quoted string or heredoc; parts are literal text or interpolated expressions."""

    parts: tuple[str | Expr, ...]
    line: int
    directive: bool = False  # contains %{ if / for } (not evaluated)


@dataclass(frozen=True)
class Var:
    name: str
    line: int


@dataclass(frozen=True)
class GetAttr:
    obj: Expr
    name: str
    line: int


@dataclass(frozen=True)
class Index:
    obj: Expr
    key: Expr
    line: int


@dataclass(frozen=True)
class Splat:
    obj: Expr
    rest: tuple[tuple[str, str | Expr], ...]  # ("attr", name) / ("index", expr) applied per element
    line: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    line: int
    expand: bool = False


@dataclass(frozen=True)
class TupleExpr:
    items: tuple[Expr, ...]
    line: int


@dataclass(frozen=True)
class ObjectExpr:
    items: tuple[tuple[Expr, Expr], ...]
    line: int


@dataclass(frozen=True)
class Conditional:
    cond: Expr
    then: Expr
    other: Expr
    line: int


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Expr
    right: Expr
    line: int


@dataclass(frozen=True)
class UnOp:
    op: str
    operand: Expr
    line: int


@dataclass(frozen=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # object for: key expression
    value: Expr
    cond: Expr | None
    grouping: bool
    line: int


Expr = (
    Literal
    | Template
    | Var
    | GetAttr
    | Index
    | Splat
    | Call
    | TupleExpr
    | ObjectExpr
    | Conditional
    | BinOp
    | UnOp
    | ForExpr
)


@dataclass(frozen=True)
class Attribute:
    name: str
    expr: Expr
    line: int


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int
    end_line: int


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


class HclSyntaxError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


# --------------------------------------------------------------------------- lexer


@dataclass(frozen=True)
class Tok:
    kind: str  # IDENT NUMBER STRING HEREDOC OP NL EOF
    value: str
    line: int
    parts: tuple[tuple[str, str, int], ...] = ()  # for STRING/HEREDOC: ("lit"|"expr"|"directive", text, line)


_OPS: Final = ("==", "!=", "<=", ">=", "&&", "||", "=>", "...")
_IDENT_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER_RE: Final = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
_HEREDOC_RE: Final = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\n")
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _match_close(src: str, i: int, line: int) -> int:
    """Index just past the ``}`` closing an interpolation whose body starts at *i*."""
    depth = 0
    while i < len(src):
        c = src[i]
        if c == '"':
            i = _skip_string(src, i + 1, line)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    raise HclSyntaxError("unterminated template interpolation", line)


def _skip_string(src: str, i: int, line: int) -> int:
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if c in "$%" and src.startswith("{", i + 1):
            i = _match_close(src, i + 2, line)
            continue
        if c == "\n":
            raise HclSyntaxError("newline in a quoted string", line)
        i += 1
    raise HclSyntaxError("unterminated string", line)


def _template_parts(text: str, line: int, escapes: bool) -> tuple[tuple[str, str, int], ...]:
    parts: list[tuple[str, str, int]] = []
    buf: list[str] = []
    i = 0
    cur = line
    while i < len(text):
        c = text[i]
        if escapes and c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and i + 5 < len(text):
                buf.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            buf.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if c in "$%" and text.startswith(c + c + "{", i):  # $${ and %%{ escape the sequence
            buf.append(c + "{")
            i += 3
            continue
        if c in "$%" and text.startswith("{", i + 1):
            end = _match_close(text, i + 2, cur)
            if buf:
                parts.append(("lit", "".join(buf), cur))
                buf = []
            inner = text[i + 2 : end - 1]
            parts.append(("expr" if c == "$" else "directive", inner.strip().strip("~").strip(), cur))
            cur += text.count("\n", i, end)
            i = end
            continue
        if c == "\n":
            cur += 1
        buf.append(c)
        i += 1
    if buf:
        parts.append(("lit", "".join(buf), cur))
    return tuple(parts)


def tokenize(src: str, line: int = 1) -> list[Tok]:
    toks: list[Tok] = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\n":
            toks.append(Tok("NL", "\n", line))
            line += 1
            i += 1
            continue
        if c == "#" or src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                raise HclSyntaxError("unterminated comment", line)
            line += src.count("\n", i, j)
            i = j + 2
            continue
        if c == '"':
            end = _skip_string(src, i + 1, line)
            toks.append(Tok("STRING", src[i:end], line, _template_parts(src[i + 1 : end - 1], line, True)))
            i = end
            continue
        if src.startswith("<<", i):
            m = _HEREDOC_RE.match(src, i)
            if m is None:
                raise HclSyntaxError("bad heredoc", line)
            marker, strip = m.group(2), m.group(1) == "-"
            body_start = m.end()
            end_re = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M)
            em = end_re.search(src, body_start)
            if em is None:
                raise HclSyntaxError(f"heredoc {marker} is not terminated", line)
            body = src[body_start : em.start()]
            if strip:
                lines = body.split("\n")
                indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
                cut = min(indents) if indents else 0
                body = "\n".join(x[cut:] for x in lines)
            toks.append(Tok("HEREDOC", body, line, _template_parts(body, line + 1, False)))
            line += src.count("\n", i, em.end())
            i = em.end()
            continue
        m = _IDENT_RE.match(src, i)
        if m:
            toks.append(Tok("IDENT", m.group(0), line))
            i = m.end()
            continue
        m = _NUMBER_RE.match(src, i)
        if m:
            toks.append(Tok("NUMBER", m.group(0), line))
            i = m.end()
            continue
        for op in _OPS:
            if src.startswith(op, i):
                toks.append(Tok("OP", op, line))
                i += len(op)
                break
        else:
            if c in "{}[]()=,.:?!+-*/%<>":
                toks.append(Tok("OP", c, line))
                i += 1
            else:
                raise HclSyntaxError(f"unexpected character {c!r}", line)
    toks.append(Tok("EOF", "", line))
    return toks


# --------------------------------------------------------------------------- parser

_BINARY: Final = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


class _Parser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.pos = 0
        self.nl_depth = 0  # > 0: newlines are insignificant (inside () and [])

    def peek(self, k: int = 0) -> Tok:
        j = self.pos
        seen = 0
        while True:
            t = self.toks[j]
            if t.kind == "NL" and self.nl_depth > 0:
                j += 1
                continue
            if seen == k:
                return t
            seen += 1
            j += 1

    def next(self) -> Tok:
        while self.toks[self.pos].kind == "NL" and self.nl_depth > 0:
            self.pos += 1
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def skip_nl(self) -> None:
        while self.toks[self.pos].kind == "NL":
            self.pos += 1

    def is_op(self, value: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t.kind == "OP" and t.value == value

    def expect_op(self, value: str) -> Tok:
        t = self.next()
        if t.kind != "OP" or t.value != value:
            raise HclSyntaxError(f"expected {value!r}, found {t.value or t.kind!r}", t.line)
        return t

    # ---- bodies

    def body(self, until_brace: bool) -> tuple[Body, int]:
        body = Body()
        while True:
            self.skip_nl()
            t = self.peek()
            if t.kind == "EOF":
                if until_brace:
                    raise HclSyntaxError("missing '}'", t.line)
                return body, t.line
            if t.kind == "OP" and t.value == "}" and until_brace:
                self.next()
                return body, t.line
            if t.kind != "IDENT":
                raise HclSyntaxError(f"expected an argument or block name, found {t.value!r}", t.line)
            self.next()
            nxt = self.peek()
            if nxt.kind == "OP" and nxt.value == "=":
                self.next()
                expr = self.expr()
                body.attributes[t.value] = Attribute(t.value, expr, t.line)
                end = self.peek()
                if end.kind not in ("NL", "EOF") and not (end.kind == "OP" and end.value == "}"):
                    raise HclSyntaxError(f"unexpected {end.value!r} after argument {t.value}", end.line)
                continue
            labels: list[str] = []
            while self.peek().kind in ("STRING", "IDENT"):
                lt = self.next()
                labels.append(lt.value[1:-1] if lt.kind == "STRING" else lt.value)
            self.expect_op("{")
            inner, end_line = self.body(True)
            body.blocks.append(Block(t.value, tuple(labels), inner, t.line, end_line))

    # ---- expressions

    def expr(self) -> Expr:
        cond = self.binary(0)
        if self.is_op("?"):
            self.next()
            self.nl_depth += 1
            then = self.expr()
            self.expect_op(":")
            self.nl_depth -= 1
            other = self.expr()
            return Conditional(cond, then, other, cond.line)
        return cond

    def binary(self, level: int) -> Expr:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek().kind == "OP" and self.peek().value in _BINARY[level]:
            op = self.next().value
            right = self.binary(level + 1)
            left = BinOp(op, left, right, left.line)
        return left

    def unary(self) -> Expr:
        if self.is_op("!") or self.is_op("-"):
            t = self.next()
            return UnOp(t.value, self.unary(), t.line)
        return self.postfix(self.primary())

    def postfix(self, e: Expr) -> Expr:
        while True:
            if self.is_op(".") and self.peek(1).kind == "IDENT":
                self.next()
                e = GetAttr(e, self.next().value, e.line)
            elif self.is_op(".") and self.peek(1).kind == "NUMBER":  # legacy a.0
                self.next()
                e = Index(e, Literal(int(self.next().value), e.line), e.line)
            elif self.is_op(".") and self.is_op("*", 1):
                self.next()
                self.next()
                e = self.splat(e)
            elif self.is_op("["):
                self.next()
                self.nl_depth += 1
                if self.is_op("*") and self.is_op("]", 1):
                    self.next()
                    self.next()
                    self.nl_depth -= 1
                    e = self.splat(e)
                    continue
                key = self.expr()
                self.expect_op("]")
                self.nl_depth -= 1
                e = Index(e, key, e.line)
            else:
                return e

    def splat(self, obj: Expr) -> Expr:
        rest: list[tuple[str, str | Expr]] = []
        while True:
            if self.is_op(".") and self.peek(1).kind == "IDENT":
                self.next()
                rest.append(("attr", self.next().value))
            elif self.is_op("[") and not self.is_op("*", 1):
                self.next()
                self.nl_depth += 1
                rest.append(("index", self.expr()))
                self.expect_op("]")
                self.nl_depth -= 1
            else:
                return Splat(obj, tuple(rest), obj.line)

    def primary(self) -> Expr:
        t = self.next()
        if t.kind == "NUMBER":
            num: int | float = float(t.value) if any(c in t.value for c in ".eE") else int(t.value)
            return Literal(num, t.line)
        if t.kind in ("STRING", "HEREDOC"):
            return self.template(t)
        if t.kind == "IDENT":
            if t.value in ("true", "false"):
                return Literal(t.value == "true", t.line)
            if t.value == "null":
                return Literal(None, t.line)
            if self.is_op("(") and self.peek().line == t.line:
                return self.call(t)
            return Var(t.value, t.line)
        if t.kind == "OP" and t.value == "(":
            self.nl_depth += 1
            e = self.expr()
            self.expect_op(")")
            self.nl_depth -= 1
            return e
        if t.kind == "OP" and t.value == "[":
            return self.tuple_(t)
        if t.kind == "OP" and t.value == "{":
            return self.object_(t)
        raise HclSyntaxError(f"unexpected {t.value or t.kind!r} in an expression", t.line)

    def call(self, name: Tok) -> Expr:
        self.expect_op("(")
        self.nl_depth += 1
        args: list[Expr] = []
        expand = False
        while not self.is_op(")"):
            args.append(self.expr())
            if self.is_op("..."):
                self.next()
                expand = True
            if not self.is_op(","):
                break
            self.next()
        self.expect_op(")")
        self.nl_depth -= 1
        return Call(name.value, tuple(args), name.line, expand)

    def for_head(self) -> tuple[str | None, str, Expr]:
        self.next()  # 'for'
        first = self.next().value
        second: str | None = None
        if self.is_op(","):
            self.next()
            second = self.next().value
        in_tok = self.next()
        if in_tok.value != "in":
            raise HclSyntaxError("expected 'in' in a for expression", in_tok.line)
        coll = self.expr()
        self.expect_op(":")
        return (first, second, coll) if second is not None else (None, first, coll)

    def tuple_(self, open_: Tok) -> Expr:
        self.nl_depth += 1
        if self.peek().kind == "IDENT" and self.peek().value == "for":
            key_var, value_var, coll = self.for_head()
            value = self.expr()
            cond = self._for_if()
            self.expect_op("]")
            self.nl_depth -= 1
            return ForExpr(key_var, value_var, coll, None, value, cond, False, open_.line)
        items: list[Expr] = []
        while not self.is_op("]"):
            items.append(self.expr())
            if not self.is_op(","):
                break
            self.next()
        self.expect_op("]")
        self.nl_depth -= 1
        return TupleExpr(tuple(items), open_.line)

    def _for_if(self) -> Expr | None:
        if self.peek().kind == "IDENT" and self.peek().value == "if":
            self.next()
            return self.expr()
        return None

    def object_(self, open_: Tok) -> Expr:
        saved = self.nl_depth
        self.nl_depth = 1
        if self.peek().kind == "IDENT" and self.peek().value == "for":
            key_var, value_var, coll = self.for_head()
            key = self.expr()
            self.expect_op("=>")
            value = self.expr()
            grouping = False
            if self.is_op("..."):
                self.next()
                grouping = True
            cond = self._for_if()
            self.expect_op("}")
            self.nl_depth = saved
            return ForExpr(key_var, value_var, coll, key, value, cond, grouping, open_.line)
        items: list[tuple[Expr, Expr]] = []
        while not self.is_op("}"):
            k = self.expr()
            if not (self.is_op("=") or self.is_op(":")):
                t = self.peek()
                raise HclSyntaxError(f"expected '=' in an object, found {t.value!r}", t.line)
            self.next()
            v = self.expr()
            items.append((k, v))
            if self.is_op(","):
                self.next()
        self.expect_op("}")
        self.nl_depth = saved
        return ObjectExpr(tuple(items), open_.line)

    def template(self, t: Tok) -> Expr:
        parts: list[str | Expr] = []
        directive = False
        for kind, text, line in t.parts:
            if kind == "lit":
                parts.append(text)
            elif kind == "directive":
                directive = True
            else:
                sub = _Parser(tokenize(text, line))
                sub.nl_depth = 1
                parts.append(sub.expr())
        return Template(tuple(parts), t.line, directive)


def parse_body(src: str) -> Body:
    """Parse a whole .tf file."""
    parser = _Parser(tokenize(src))
    body, _ = parser.body(False)
    return body


# --------------------------------------------------------------------------- helpers


def traversal(e: Expr) -> tuple[str, list[str | Expr]] | None:
    """``a.b["c"][x]`` -> ("a", ["b", "c", <expr x>]); None for anything that is not a traversal."""
    steps: list[str | Expr] = []
    while True:
        if isinstance(e, GetAttr):
            steps.append(e.name)
            e = e.obj
        elif isinstance(e, Index):
            key = e.key
            if isinstance(key, Literal) and isinstance(key.value, str | int):
                steps.append(str(key.value))
            elif isinstance(key, Template) and all(isinstance(p, str) for p in key.parts):
                steps.append("".join(str(p) for p in key.parts))
            else:
                steps.append(key)
            e = e.obj
        elif isinstance(e, Var):
            steps.reverse()
            return e.name, steps
        else:
            return None


def body_exprs(body: Body) -> list[tuple[Attribute, Expr]]:
    """Every (attribute, top-level expression) in a body and its nested blocks."""
    out: list[tuple[Attribute, Expr]] = [(a, a.expr) for a in body.attributes.values()]
    for b in body.blocks:
        out += body_exprs(b.body)
    return out


def traversals(e: Expr) -> list[Expr]:
    """Maximal traversals in *e* (``a.b[x].c`` once, not its prefixes), and those inside index keys."""
    out: list[Expr] = []
    stack: list[Expr] = [e]
    while stack:
        cur = stack.pop()
        if isinstance(cur, GetAttr | Index | Var) and traversal(cur) is not None:
            out.append(cur)
            node: Expr = cur
            while isinstance(node, GetAttr | Index):
                if isinstance(node, Index):
                    stack.append(node.key)
                node = node.obj
            continue
        if isinstance(cur, GetAttr):
            stack.append(cur.obj)
        elif isinstance(cur, Index):
            stack += [cur.obj, cur.key]
        else:
            stack.extend(_children(cur))
    return out


def _children(cur: Expr) -> list[Expr]:
    if isinstance(cur, Template):
        return [p for p in cur.parts if not isinstance(p, str)]
    if isinstance(cur, Splat):
        return [cur.obj, *(x for _k, x in cur.rest if not isinstance(x, str))]
    if isinstance(cur, Call):
        return list(cur.args)
    if isinstance(cur, TupleExpr):
        return list(cur.items)
    if isinstance(cur, ObjectExpr):
        return [x for kv in cur.items for x in kv]
    if isinstance(cur, Conditional):
        return [cur.cond, cur.then, cur.other]
    if isinstance(cur, BinOp):
        return [cur.left, cur.right]
    if isinstance(cur, UnOp):
        return [cur.operand]
    if isinstance(cur, ForExpr):
        return [x for x in (cur.collection, cur.key, cur.value, cur.cond) if x is not None]
    return []
