"""Wiring checks: module calls, variables, module outputs, remote-state outputs and rendered inputs.

Everything here is static: a reference ``local.client.a.b`` is checked against every client of the
layer's rendered ``clients.auto.tfvars.json``, ``var.settings.a.b`` against its ``settings``, and the
layer's ``variable "clients"`` / ``"settings"`` types against the same JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clientctl.errors import Finding, rel
from clientctl.iac import hclast as h
from clientctl.iac.config import TfFile, TfModule, is_local_source, literal_string, load_module, module_source

MODULE_META = frozenset({"source", "version", "count", "for_each", "depends_on", "providers"})
#: Top-level blocks whose ``from``/``to``/``id`` hold resource addresses, not expressions to resolve.
ADDRESS_BLOCKS = frozenset({"moved", "removed", "import"})
#: Locals holding the one client of a layer root (``var.clients[terraform.workspace]``) are detected.
CLIENT_LOCAL_HINT = "clients"
#: Root names of references that address a resource (``aws_iam_role.x``): a provider's type prefix.
#: Loop variables (``for r in ...``) never carry one of these prefixes.
RESOURCE_TYPE_PREFIXES = (
    "aws_",
    "helm_",
    "kubernetes_",
    "random_",
    "tls_",
    "null_",
    "time_",
    "terraform_",
    "cloudinit_",
)


def _finding(
    rule: str, message: str, f: TfFile, line: int | None, root: Path | None, hint: str | None = None
) -> Finding:
    return Finding(rule=f"iac.wiring.{rule}", message=message, file=rel(f.path, root), line=line, hint=hint)


def references(module: TfModule) -> Iterator[tuple[TfFile, int, str, list[str | h.Expr]]]:
    """Every maximal traversal (root name, steps) in the module, with its file and line."""
    for f in module.files:
        if f.body is None:
            continue
        exprs = [(a, a.expr) for a in f.body.attributes.values()]
        for b in f.body.blocks:
            if b.type not in ADDRESS_BLOCKS:
                exprs += h.body_exprs(b.body)
        for _attr, expr in exprs:
            for node in h.traversals(expr):
                trav = h.traversal(node)
                if trav is not None:
                    yield f, node.line, trav[0], trav[1]


def _names(steps: list[str | h.Expr]) -> list[str]:
    """Leading literal steps of a traversal."""
    out: list[str] = []
    for s in steps:
        if not isinstance(s, str):
            break
        out.append(s)
    return out


def check_module(module: TfModule, cache: dict[Path, TfModule], root: Path | None) -> list[Finding]:
    findings: list[Finding] = []
    declared = module.variables
    # every var.x is declared
    reported: set[tuple[str, str]] = set()
    for f, line, name, steps in references(module):
        if name == "var" and steps and isinstance(steps[0], str) and steps[0] not in declared:
            key = (str(f.path), steps[0])
            if key in reported:
                continue
            reported.add(key)
            findings.append(
                _finding(
                    "undeclared-variable",
                    f"var.{steps[0]} is not declared in {rel(module.dir, root)}",
                    f,
                    line,
                    root,
                    _did_you_mean(steps[0], list(declared)),
                )
            )
    # module calls
    calls = module.module_calls
    for name, (f, call) in calls.items():
        source = module_source(call)
        if source is None:
            findings.append(
                _finding("module-source", f"module {name!r}: source must be a literal string", f, call.line, root)
            )
            continue
        if not is_local_source(source):
            findings.append(
                _finding(
                    "registry-module",
                    f"module {name!r}: source {source!r} is not a local path (registry modules cannot be "
                    "downloaded here and are not used)",
                    f,
                    call.line,
                    root,
                )
            )
            continue
        target = load_module(f.path.parent / source, cache)
        if target is None:
            findings.append(
                _finding("module-source", f"module {name!r}: no .tf files at {source!r}", f, call.line, root)
            )
            continue
        variables = target.variables
        for arg, attr in call.body.attributes.items():
            if arg in MODULE_META:
                continue
            if arg not in variables:
                findings.append(
                    _finding(
                        "unknown-input",
                        f"module {name!r} ({source}) has no variable {arg!r}",
                        f,
                        attr.line,
                        root,
                        _did_you_mean(arg, list(variables)),
                    )
                )
        for var_name, (_vf, vb) in variables.items():
            if "default" not in vb.body.attributes and var_name not in call.body.attributes:
                findings.append(
                    _finding(
                        "missing-input",
                        f"module {name!r} ({source}) requires variable {var_name!r} (no default)",
                        f,
                        call.line,
                        root,
                    )
                )
    # module.m.out
    for f, line, name, steps in references(module):
        names = _names(steps)
        if name != "module" or len(names) < 2:
            continue
        mod = names[0]
        if mod not in calls:
            findings.append(_finding("unknown-module", f"module.{mod} is not called in this folder", f, line, root))
            continue
        cf, call = calls[mod]
        # module.m[0].out / module.m["key"].out: with count or for_each the step after the name is the
        # instance key, not an output.
        if "count" in call.body.attributes or "for_each" in call.body.attributes:
            if len(steps) < 3 or not isinstance(steps[2], str):
                continue
            out = steps[2]
        else:
            out = names[1]
        source = module_source(call)
        if source is None or not is_local_source(source):
            continue
        target = load_module(cf.path.parent / source, cache)
        if target is not None and out not in target.outputs:
            findings.append(
                _finding(
                    "unknown-output",
                    f"module.{mod}.{out}: module {source} has no output {out!r}",
                    f,
                    line,
                    root,
                    _did_you_mean(out, list(target.outputs)),
                )
            )
    findings += _undeclared_resources(module, root)
    if module.is_root:
        findings += _check_root(module, cache, root)
    return _dedupe(findings)


def _undeclared_resources(module: TfModule, root: Path | None) -> list[Finding]:
    """``aws_x.y``, ``data.aws_x.y`` and ``ephemeral.x.y`` must name a block of this folder.

    A reference left behind when a resource moved into a module (``aws_iam_role.storage`` after the roles
    moved into ``modules/irsa-role``) parses, and no other offline check sees it; ``terraform validate``
    rejects it with "Reference to undeclared resource". ``moved``/``removed``/``import`` blocks hold
    addresses of the past on purpose and are not read (see :func:`references`).
    """
    declared = {
        kind: {(b.labels[0], b.labels[1]) for _f, b in module.resources(kind)}
        for kind in ("resource", "data", "ephemeral")
    }
    findings: list[Finding] = []
    for f, line, name, steps in references(module):
        names = _names(steps)
        if name in ("data", "ephemeral"):
            if len(names) < 2:
                continue
            kind, address = name, (names[0], names[1])
            shown = f"{name}.{names[0]}.{names[1]}"
        elif name.startswith(RESOURCE_TYPE_PREFIXES) and names:
            kind, address = "resource", (name, names[0])
            shown = f"{name}.{names[0]}"
        else:
            continue
        if address in declared[kind]:
            continue
        same_type = [n for t, n in declared[kind] if t == address[0]]
        hint = _did_you_mean(address[1], same_type) or (
            "the block was removed or moved (into a module?): point the reference at what replaced it, e.g. "
            "that module's output"
        )
        findings.append(
            _finding(
                "undeclared-resource",
                f"{shown} is not declared in {rel(module.dir, root)} ({kind} block {address[0]!r} {address[1]!r})",
                f,
                line,
                root,
                hint,
            )
        )
    return findings


def _dedupe(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _did_you_mean(name: str, candidates: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, candidates, n=1)
    return f"did you mean {close[0]!r}?" if close else None


# --------------------------------------------------------------------------- layer roots


def _remote_state_layers(module: TfModule) -> dict[str, str | None]:
    """data.terraform_remote_state.<name> -> upstream layer (from config = var.settings.remote_state["<layer>"])."""
    out: dict[str, str | None] = {}
    for _f, b in module.resources("data"):
        if b.labels[0] != "terraform_remote_state":
            continue
        layer = None
        cfg = b.body.attributes.get("config")
        if cfg is not None:
            trav = h.traversal(cfg.expr)
            if trav is not None and trav[0] == "var":
                names = _names(trav[1])
                if names[:2] == ["settings", "remote_state"] and len(names) >= 3:
                    layer = names[2]
        out[b.labels[1]] = layer
    return out


def _client_locals(module: TfModule) -> set[str]:
    """Locals whose value is one client object (``var.clients[terraform.workspace]``, maybe behind a condition)."""
    found: set[str] = set()
    for name, (_f, attr) in module.locals.items():
        candidates = [attr.expr]
        if isinstance(attr.expr, h.Conditional):
            candidates = [attr.expr.then, attr.expr.other]
        for c in candidates:
            trav = h.traversal(c) if isinstance(c, h.Index | h.GetAttr) else None
            if trav is not None and trav[0] == "var" and len(trav[1]) == 2 and trav[1][0] == "clients":
                found.add(name)
    return found


def _path_exists(value: Any, path: list[str]) -> tuple[bool, str]:
    cur = value
    for i, part in enumerate(path):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
            continue
        if isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
            continue
        return False, ".".join(path[: i + 1])
    return True, ""


def _check_root(module: TfModule, cache: dict[Path, TfModule], root: Path | None) -> list[Finding]:
    findings: list[Finding] = []
    rendered = module.rendered()
    remote = _remote_state_layers(module)
    # data.terraform_remote_state.X.outputs.y
    for f, line, name, steps in references(module):
        names = _names(steps)
        if name != "data" or len(names) < 4 or names[0] != "terraform_remote_state" or names[2] != "outputs":
            continue
        ds, out = names[1], names[3]
        if ds not in remote:
            findings.append(
                _finding("unknown-remote-state", f"data.terraform_remote_state.{ds} is not declared", f, line, root)
            )
            continue
        layer = remote[ds]
        if layer is None:
            findings.append(
                _finding(
                    "remote-state-config",
                    f'data.terraform_remote_state.{ds}: config is not var.settings.remote_state["<layer>"], '
                    "so its outputs cannot be checked",
                    f,
                    line,
                    root,
                )
            )
            continue
        upstream = load_module(module.dir.parent.parent / layer / module.dir.name, cache)
        if upstream is None:
            findings.append(
                _finding(
                    "remote-state-layer",
                    f"data.terraform_remote_state.{ds} reads layer {layer!r}, which has no Terraform code next to "
                    f"this layer ({rel(module.dir.parent.parent / layer / module.dir.name, root)})",
                    f,
                    line,
                    root,
                )
            )
            continue
        if out not in upstream.outputs:
            findings.append(
                _finding(
                    "unknown-remote-output",
                    f"data.terraform_remote_state.{ds}.outputs.{out}: layer {layer} declares no output {out!r}",
                    f,
                    line,
                    root,
                    _did_you_mean(out, list(upstream.outputs)),
                )
            )
    if rendered is None:
        if module.tfvars.exists() or module.layer is not None:
            findings.append(
                Finding(
                    rule="iac.wiring.rendered-inputs",
                    message=f"{rel(module.tfvars, root)} is missing or not valid JSON",
                    file=rel(module.dir, root),
                    hint="run `clientctl render`",
                )
            )
        return findings
    clients: dict[str, Any] = rendered.get("clients") or {}
    settings: dict[str, Any] = rendered.get("settings") or {}
    client_locals = _client_locals(module)
    for layer in remote.values():
        if layer is not None and layer not in settings.get("remote_state", {}):
            findings.append(
                Finding(
                    rule="iac.wiring.remote-state-key",
                    message=f"settings.remote_state has no {layer!r} in {rel(module.tfvars, root)} "
                    "(not an upstream layer of this one?)",
                    file=rel(module.dir, root),
                )
            )
    for f, line, name, steps in references(module):
        names = _names(steps)
        path: list[str] | None = None
        what = ""
        data: list[tuple[str, Any]] = []
        if name == "local" and names and names[0] in client_locals:
            path, what = names[1:], f"local.{names[0]}"
            data = list(clients.items())
        elif name == "var" and names[:1] == ["clients"] and len(steps) >= 2 and not isinstance(steps[1], str):
            path, what = _names(steps[2:]), "var.clients[...]"
            data = list(clients.items())
        elif name == "var" and names[:1] == ["settings"]:
            path, what = names[1:], "var.settings"
            data = [("settings", settings)]
        if not path:
            continue
        for client, value in data:
            ok, missing = _path_exists(value, path)
            if not ok:
                who = "settings" if client == "settings" else f"client {client!r}"
                findings.append(
                    _finding(
                        "rendered-key",
                        f"{what}.{'.'.join(path)}: {who} in {module.tfvars.name} has no {missing!r}",
                        f,
                        line,
                        root,
                        "names and values come from the rendered inputs (see src/clientctl/render/render.py)",
                    )
                )
                break
    findings += _check_variable_types(module, clients, settings, root)
    return findings


# --------------------------------------------------------------------------- variable types vs rendered JSON


def _check_variable_types(
    module: TfModule, clients: dict[str, Any], settings: dict[str, Any], root: Path | None
) -> list[Finding]:
    findings: list[Finding] = []
    variables = module.variables
    targets: list[tuple[str, list[tuple[str, Any]]]] = [
        ("clients", [("clients", clients)]),
        ("settings", [("settings", settings)]),
    ]
    for var_name, values in targets:
        if var_name not in variables:
            continue
        f, block = variables[var_name]
        type_attr = block.body.attributes.get("type")
        if type_attr is None:
            findings.append(_finding("variable-type", f"variable {var_name!r} has no type", f, block.line, root))
            continue
        for label, value in values:
            for problem, level in _type_problems(type_attr.expr, value, label):
                findings.append(
                    Finding(
                        rule="iac.wiring.variable-type",
                        message=f"variable {var_name!r}: {problem}",
                        file=rel(f.path, root),
                        line=type_attr.line,
                        level=level,
                    )
                )
    return findings


def _type_problems(t: h.Expr, value: Any, path: str) -> list[tuple[str, Any]]:
    """Problems of *value* against the type expression *t* (a subset of Terraform's conversion rules)."""
    if isinstance(t, h.Var):
        kind = t.name
        if kind == "any":
            return []
        if kind == "string":
            ok = isinstance(value, str | int | float) or value is None
        elif kind == "number":
            ok = (isinstance(value, int | float) and not isinstance(value, bool)) or value is None
            if isinstance(value, str):
                try:
                    float(value)
                    ok = True
                except ValueError:
                    ok = False
        elif kind == "bool":
            ok = isinstance(value, bool) or value in ("true", "false") or value is None
        else:
            return [(f"{path}: unknown type {kind!r}", "error")]
        return [] if ok else [(f"{path}: expected {kind}, rendered value is {value!r}", "error")]
    if not isinstance(t, h.Call) or not t.args:
        return [(f"{path}: type expression not understood", "warning")]
    if value is None:
        return []
    name, arg = t.name, t.args[0]
    if name in ("map", "list", "set"):
        if name == "map":
            if not isinstance(value, dict):
                return [(f"{path}: expected a map, rendered value is {type(value).__name__}", "error")]
            items = list(value.items())
        else:
            if not isinstance(value, list):
                return [(f"{path}: expected a {name}, rendered value is {type(value).__name__}", "error")]
            items = [(str(i), v) for i, v in enumerate(value)]
        out: list[tuple[str, Any]] = []
        for k, v in items:
            out += _type_problems(arg, v, f"{path}[{k!r}]" if name == "map" else f"{path}[{k}]")
        return out
    if name == "object" and isinstance(arg, h.ObjectExpr):
        if not isinstance(value, dict):
            return [(f"{path}: expected an object, rendered value is {type(value).__name__}", "error")]
        out = []
        for k, sub in arg.items:
            key = k.name if isinstance(k, h.Var) else literal_string(k)
            if key is None:
                continue
            optional = isinstance(sub, h.Call) and sub.name == "optional" and bool(sub.args)
            inner = sub.args[0] if isinstance(sub, h.Call) and optional else sub
            if key not in value:
                if optional:
                    out.append(
                        (f"{path}.{key}: optional attribute not in the rendered JSON (always null/default)", "warning")
                    )
                else:
                    out.append((f"{path}.{key}: attribute declared but not in the rendered JSON", "error"))
                continue
            out += _type_problems(inner, value[key], f"{path}.{key}")
        return out
    if name == "tuple" and isinstance(arg, h.TupleExpr):
        if not isinstance(value, list) or len(value) != len(arg.items):
            return [(f"{path}: expected a tuple of {len(arg.items)}", "error")]
        out = []
        for i, (sub, v) in enumerate(zip(arg.items, value, strict=True)):
            out += _type_problems(sub, v, f"{path}[{i}]")
        return out
    if name == "optional":
        return _type_problems(arg, value, path)
    return [(f"{path}: type {name}(...) not understood", "warning")]


def convert(t: h.Expr, value: Any) -> Any:
    """*value* as Terraform would see it through the type expression *t*: object attributes the type does not
    declare are dropped (Terraform's conversion of a wider object), ``optional`` ones absent from the value
    become null. Values the type does not fit are returned as they are (:func:`_type_problems` reports them).
    Used to evaluate a root with the variables it really receives, e.g. ``local.client.enabled`` is absent when
    ``variable "clients"`` does not declare ``enabled``."""
    if value is None or isinstance(t, h.Var) or not isinstance(t, h.Call) or not t.args:
        return value
    name, arg = t.name, t.args[0]
    if name == "optional":
        return convert(arg, value)
    if name == "map" and isinstance(value, dict):
        return {k: convert(arg, v) for k, v in value.items()}
    if name in ("list", "set") and isinstance(value, list):
        return [convert(arg, v) for v in value]
    if name == "object" and isinstance(arg, h.ObjectExpr) and isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, sub in arg.items:
            key = k.name if isinstance(k, h.Var) else literal_string(k)
            if key is None:
                continue
            out[key] = convert(sub, value.get(key))
        return out
    if name == "tuple" and isinstance(arg, h.TupleExpr) and isinstance(value, list):
        return [convert(sub, v) for sub, v in zip(arg.items, value, strict=False)]
    return value
