"""``clientctl iac isolation``: prove per client, statically, that a layer cannot touch another client.

For every layer root (a folder with a rendered ``clients.auto.tfvars.json``) and every client in it, the
root is evaluated with ``terraform.workspace`` = that client (``var.clients`` / ``var.settings`` from the
rendered JSON), following local module calls with their evaluated arguments. Then, per resource instance:

* **S3 policies** (``aws_iam_policy``, ``aws_iam_role_policy``, ``aws_iam_role.inline_policy``,
  ``aws_s3_bucket_policy``, ... as ``jsonencode(...)`` or ``data.aws_iam_policy_document``): every Allow
  statement with an ``s3:`` (or ``*``) action names only objects under the client's own observability
  prefixes (``names.observability_prefixes``), the bucket itself only with an ``s3:prefix`` condition
  limited to those prefixes, or a bucket this configuration manages whose name contains the client's name.
* **Security group rules**: ingress only from the client's own CIDRs (VPC, its VPN's on-premises range, the
  platform's management CIDRs, the EKS service range), security groups or ``self``; ``0.0.0.0/0`` / ``::/0``
  only to ports 80/443 on a resource marked ``# clientctl:public-ingress <reason>``. Egress to a CIDR of
  another client is refused; egress to the internet (0.0.0.0/0) is allowed (NAT).
* **Route53**: zones are the client's own ``names.dns_zone``; records go to that zone, except one NS record
  named after the client's zone in the parent zone (the delegation).
* **Tags**: every aws resource that takes ``tags`` carries ``Client = <client>``, in its own tags or in its
  provider's ``default_tags``.

Whatever cannot be resolved statically is reported as ``unverifiable`` (an error) unless the resource
carries ``# clientctl:allow-unverifiable <reason>``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from clientctl.aws.policy import as_list, statement_list
from clientctl.errors import Finding, rel
from clientctl.iac import hclast as h
from clientctl.iac import provider_schema as ps
from clientctl.iac.config import TfFile, TfModule, is_local_source, load_module, load_modules, module_source
from clientctl.iac.evaluate import NOT_FOUND, Encoded, EvalError, Evaluator, Ref, Unknown, first_unknown, get

PUBLIC_MARKER: Final = "clientctl:public-ingress"
UNVERIFIABLE_MARKER: Final = "clientctl:allow-unverifiable"
PUBLIC_PORTS: Final = frozenset({80, 443})
MIN_REASON: Final = 10
POLICY_ARGS: Final[dict[str, tuple[str, ...]]] = {
    "aws_iam_policy": ("policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_user_policy": ("policy",),
    "aws_iam_group_policy": ("policy",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_iam_role": ("inline_policy.policy",),
}
_MARKER_RE: Final = re.compile(r"#\s*(clientctl:[a-z-]+)\s*(.*)$")


@dataclass
class Instance:
    module: TfModule
    file: TfFile
    block: h.Block
    each: Any = None
    count: Any = None

    @property
    def address(self) -> str:
        kind, (t, n) = self.block.type, self.block.labels
        return f"{'' if kind == 'resource' else kind + '.'}{t}.{n}"


@dataclass
class Scope:
    """One module instance evaluated for one client."""

    module: TfModule
    variables: dict[str, Any]
    client: str
    cache: dict[Path, TfModule]
    provider_tags: Any  # default_tags of the aws provider in force (None: none)
    locals_: dict[str, Any] = field(default_factory=dict)
    children: dict[str, Scope | None] = field(default_factory=dict)
    each: Any = None
    count: Any = None

    def evaluator(self, each: Any = None, count: Any = None) -> Evaluator:
        def resolve(root: str, steps: list[str | h.Expr]) -> Any:
            return self.resolve(root, steps, ev, each, count)

        ev = Evaluator(resolve)
        return ev

    def resolve(self, root: str, steps: list[str | h.Expr], ev: Evaluator, each: Any, count: Any) -> Any:
        def rest(value: Any, skip: int) -> Any:
            for s in ev.steps(steps[skip:]):
                value = get(value, s)
            return value

        first = steps[0] if steps and isinstance(steps[0], str) else None
        if root == "var":
            if first not in self.variables:
                raise EvalError(f"var.{first} is not set")
            return rest(self.variables[first], 1)
        if root == "local":
            return rest(self.local(str(first)), 1)
        if root == "terraform" and first == "workspace":
            return self.client
        if root == "each":
            if each is None:
                raise EvalError("each outside for_each")
            key, value = each
            return rest({"key": key, "value": value}, 0)
        if root == "count":
            return rest({"index": count if count is not None else Unknown("count.index")}, 0)
        if root == "path":
            return rest({"module": str(self.module.dir), "root": str(self.module.dir), "cwd": str(self.module.dir)}, 0)
        if root == "module" and first is not None:
            child = self.child(first)
            if child is None or len(steps) < 2 or not isinstance(steps[1], str):
                return Unknown(f"module.{first} not resolvable")
            return rest(child.output(steps[1]), 2)
        if root == "data" and first == "aws_partition" and len(steps) >= 3 and steps[2] == "partition":
            # The partition only prefixes ARNs ("aws", "aws-cn", "aws-us-gov"); which one does not change
            # whose bucket or prefix a policy names, so isolation evaluates it as "aws".
            return "aws"
        if root == "data" and first is not None and len(steps) >= 2 and isinstance(steps[1], str):
            return rest(Ref(f"data.{first}.{steps[1]}", ()), 2)
        if steps and isinstance(steps[0], str) and "_" in root:
            return rest(Ref(f"{root}.{steps[0]}", ()), 1)
        return NOT_FOUND

    def local(self, name: str) -> Any:
        if name not in self.locals_:
            found = self.module.locals.get(name)
            if found is None:
                raise EvalError(f"local.{name} is not defined")
            self.locals_[name] = Unknown(f"local.{name} refers to itself")
            try:
                self.locals_[name] = self.evaluator().eval(found[1].expr)
            except EvalError as exc:
                self.locals_[name] = Unknown(f"local.{name}: {exc}")
        return self.locals_[name]

    def child(self, name: str) -> Scope | None:
        if name not in self.children:
            self.children[name] = None
            call = self.module.module_calls.get(name)
            if call is None:
                return None
            f, block = call
            source = module_source(block)
            if source is None or not is_local_source(source):
                return None
            target = load_module(f.path.parent / source, self.cache)
            if target is None:
                return None
            ev = self.evaluator()
            args: dict[str, Any] = {}
            for arg, attr in block.body.attributes.items():
                try:
                    args[arg] = ev.eval(attr.expr)
                except EvalError as exc:
                    args[arg] = Unknown(f"module.{name}.{arg}: {exc}")
            for vname, (_vf, vb) in target.variables.items():
                if vname not in args and "default" in vb.body.attributes:
                    try:
                        args[vname] = ev.eval(vb.body.attributes["default"].expr)
                    except EvalError:
                        args[vname] = Unknown(f"default of var.{vname}")
            self.children[name] = Scope(target, args, self.client, self.cache, self.provider_tags)
        return self.children[name]

    def output(self, name: str) -> Any:
        found = self.module.outputs.get(name)
        if found is None:
            raise EvalError(f"module has no output {name!r}")
        value = found[1].body.attributes.get("value")
        if value is None:
            return None
        return self.evaluator().eval(value.expr)

    def block_by_address(self, address: str) -> tuple[TfFile, h.Block] | None:
        parts = address.split(".")
        kind = "data" if parts[0] == "data" else "resource"
        labels = tuple(parts[1:3] if kind == "data" else parts[0:2])
        for f, b in self.module.resources(kind):
            if b.labels == labels:
                return f, b
        return None

    def attr(self, address: str, name: str) -> Any:
        """Evaluate argument *name* of the resource/data block at *address* (first instance)."""
        found = self.block_by_address(address)
        if found is None:
            return Unknown(f"{address} not found")
        attr = found[1].body.attributes.get(name)
        if attr is None:
            return Unknown(f"{address}.{name} is not set")
        try:
            return self.evaluator().eval(attr.expr)
        except EvalError as exc:
            return Unknown(f"{address}.{name}: {exc}")


@dataclass
class ClientFacts:
    name: str
    prefixes: list[str]
    buckets: list[str]
    cidrs: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
    other_cidrs: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
    zone: str | None
    parent_zone: str | None


def _facts(name: str, clients: Mapping[str, Any], settings: Mapping[str, Any]) -> ClientFacts:
    c = clients[name]
    names = c.get("names", {})
    cidrs: list[str] = [c.get("network", {}).get("vpc_cidr", "")]
    vpn = c.get("vpn") or {}
    if vpn.get("enabled") and vpn.get("local_network_cidr"):
        cidrs.append(vpn["local_network_cidr"])
    cidrs += list(settings.get("management_cidrs") or [])
    cidrs.append(c.get("network", {}).get("eks_service_cidr") or settings.get("eks_service_cidr") or "")
    others = [
        o.get("network", {}).get("vpc_cidr", "") for n, o in clients.items() if n != name and isinstance(o, Mapping)
    ]
    return ClientFacts(
        name=name,
        prefixes=list((names.get("observability_prefixes") or {}).values()),
        buckets=list((settings.get("observability_buckets") or {}).values()),
        cidrs=[_net(x) for x in cidrs if _net(x) is not None],  # type: ignore[misc]
        other_cidrs=[_net(x) for x in others if _net(x) is not None],  # type: ignore[misc]
        zone=names.get("dns_zone"),
        parent_zone=settings.get("parent_zone"),
    )


def _net(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        return None


# --------------------------------------------------------------------------- driver


@dataclass
class _Run:
    root: Path | None
    findings: list[Finding] = field(default_factory=list)
    checked: int = 0

    def report(self, inst: Instance, scope: Scope, rule: str, message: str, unverifiable: bool = False) -> None:
        if unverifiable:
            reason = _marker(inst, UNVERIFIABLE_MARKER)
            if reason is not None and len(reason) >= MIN_REASON:
                return
        self.findings.append(
            Finding(
                rule=f"iac.isolation.{'unverifiable' if unverifiable else rule}",
                message=f"{inst.address}: {message}" if not unverifiable else f"{inst.address} ({rule}): {message}",
                file=rel(inst.file.path, self.root),
                line=inst.block.line,
                client=scope.client,
                hint=f"if this is intended, mark the resource `# {UNVERIFIABLE_MARKER} <reason>`"
                if unverifiable
                else None,
            )
        )


def _marker(inst: Instance, marker: str) -> str | None:
    lines = inst.file.text.splitlines()
    start = max(0, inst.block.line - 4)
    for text in lines[start : inst.block.end_line]:
        m = _MARKER_RE.search(text)
        if m and m.group(1) == marker:
            return m.group(2).strip()
    return None


def check_isolation(
    paths: Sequence[Path], *, root: Path | None, schemas: Mapping[str, ps.ProviderSchema]
) -> tuple[list[Finding], int]:
    """Findings and the number of (client, resource instance) pairs checked."""
    modules = load_modules([p for p in paths if p.exists()])
    cache = dict(modules)
    run = _Run(root)
    aws = schemas.get("aws")
    for module in modules.values():
        rendered = module.rendered()
        if rendered is None or not isinstance(rendered.get("clients"), Mapping):
            continue
        clients: Mapping[str, Any] = rendered["clients"]
        settings: Mapping[str, Any] = rendered.get("settings") or {}
        for client in sorted(clients):
            scope = Scope(module, {"clients": dict(clients), "settings": dict(settings)}, client, cache, None)
            scope.provider_tags = _default_tags(scope)
            _check_scope(scope, _facts(client, clients, settings), run, aws, set())
    return run.findings, run.checked


def _default_tags(scope: Scope) -> Any:
    for _f, b in scope.module.blocks("provider"):
        if b.labels != ("aws",) or "alias" in b.body.attributes:
            continue
        for dt in b.body.blocks_of("default_tags"):
            tags = dt.body.attributes.get("tags")
            if tags is not None:
                try:
                    return scope.evaluator().eval(tags.expr)
                except EvalError as exc:
                    return Unknown(f"default_tags: {exc}")
    return None


def _instances(scope: Scope, f: TfFile, block: h.Block) -> list[Instance] | Unknown:
    ev = scope.evaluator()
    attrs = block.body.attributes
    try:
        if "count" in attrs:
            n = ev.eval(attrs["count"].expr)
            if isinstance(n, Unknown | Ref):
                return Unknown(f"count not known statically ({n})")
            return [Instance(scope.module, f, block, count=i) for i in range(int(n))]
        if "for_each" in attrs:
            coll = ev.eval(attrs["for_each"].expr)
            if isinstance(coll, dict):
                return [Instance(scope.module, f, block, each=(k, v)) for k, v in coll.items()]
            if isinstance(coll, list) and all(isinstance(x, str) for x in coll):
                return [Instance(scope.module, f, block, each=(x, x)) for x in coll]
            return Unknown("for_each not known statically")
    except EvalError as exc:
        return Unknown(str(exc))
    return [Instance(scope.module, f, block)]


def _check_scope(scope: Scope, facts: ClientFacts, run: _Run, aws: ps.ProviderSchema | None, seen: set[Path]) -> None:
    for f, block in scope.module.resources("resource"):
        insts = _instances(scope, f, block)
        if isinstance(insts, Unknown):
            # How many instances there are does not matter for isolation: every instance shares the body,
            # so it is checked once with each.key/each.value unknown. A property that depends on them and
            # cannot be resolved is reported as unverifiable by the check that needs it.
            insts = [Instance(scope.module, f, block, each=(Unknown("each.key"), Unknown("each.value")))]
        for inst in insts:
            run.checked += 1
            _check_instance(scope, inst, facts, run, aws)
    for name, (_f, call) in scope.module.module_calls.items():
        child = scope.child(name)
        if child is None:
            continue
        count_attr = call.body.attributes.get("count")
        if count_attr is not None:
            n = scope.evaluator().eval(count_attr.expr)
            if n == 0:
                continue
        child.provider_tags = scope.provider_tags
        _check_scope(child, facts, run, aws, seen)


def _check_instance(scope: Scope, inst: Instance, facts: ClientFacts, run: _Run, aws: ps.ProviderSchema | None) -> None:
    type_name = inst.block.labels[0]
    ev = scope.evaluator(inst.each, inst.count)

    def val(expr: h.Expr) -> Any:
        try:
            return ev.eval(expr)
        except EvalError as exc:
            return Unknown(str(exc))

    body = inst.block.body
    # ---- S3 in policies
    for arg in POLICY_ARGS.get(type_name, ()):
        exprs: list[h.Expr] = []
        if "." in arg:
            blk, name = arg.split(".")
            exprs = [b.body.attributes[name].expr for b in body.blocks_of(blk) if name in b.body.attributes]
        elif arg in body.attributes:
            exprs = [body.attributes[arg].expr]
        for expr in exprs:
            _check_policy(scope, inst, val(expr), facts, run)
    if type_name == "aws_iam_role_policy_attachment" and "policy_arn" in body.attributes:
        arn = val(body.attributes["policy_arn"].expr)
        if isinstance(arn, str) and arn.startswith("arn:aws:iam::aws:policy/") and "S3" in arn:
            run.report(
                inst,
                scope,
                "s3",
                f"attaches the AWS-managed policy {arn}, which is not limited to the client's prefixes",
            )
    # ---- security groups
    _check_sg(inst, body, val, facts, run, scope)
    # ---- Route53
    if type_name == "aws_route53_zone" and "name" in body.attributes:
        zone = val(body.attributes["name"].expr)
        if isinstance(zone, Unknown | Ref):
            run.report(inst, scope, "route53", f"zone name not known statically ({zone})", unverifiable=True)
        elif str(zone).rstrip(".") != (facts.zone or ""):
            run.report(inst, scope, "route53", f"zone {zone!r} is not the client's zone {facts.zone!r}")
    if type_name == "aws_route53_record":
        _check_record(scope, inst, body, val, facts, run)
    # ---- tags
    if type_name.startswith("aws_") and aws is not None:
        schema = aws.resource_block(type_name)
        if schema is not None and "tags" in schema.get("attributes", {}):
            _check_tags(scope, inst, body, val, facts, run)


def _check_tags(scope: Scope, inst: Instance, body: h.Body, val: Any, facts: ClientFacts, run: _Run) -> None:
    sources: list[tuple[str, Any]] = []
    if "tags" in body.attributes:
        sources.append(("tags", val(body.attributes["tags"].expr)))
    if scope.provider_tags is not None:
        sources.append(("provider default_tags", scope.provider_tags))
    unknown: list[str] = []
    for what, tags in sources:
        if isinstance(tags, Mapping) and "Client" in tags:
            value = tags["Client"]
            if value == facts.name:
                return
            if isinstance(value, str):
                run.report(inst, scope, "tags", f"{what} set Client = {value!r}, not {facts.name!r}")
                return
            unknown.append(f"{what}: Client not known statically")
        elif not isinstance(tags, Mapping):
            unknown.append(f"{what}: {first_unknown(tags) or tags}")
    if unknown:
        run.report(inst, scope, "tags", "; ".join(unknown), unverifiable=True)
    else:
        run.report(inst, scope, "tags", "no Client tag (neither in tags nor in the aws provider's default_tags)")


def _check_record(scope: Scope, inst: Instance, body: h.Body, val: Any, facts: ClientFacts, run: _Run) -> None:
    zone_ref = val(body.attributes["zone_id"].expr) if "zone_id" in body.attributes else Unknown("no zone_id")
    if not isinstance(zone_ref, Ref):
        run.report(inst, scope, "route53", f"zone_id not traceable to a zone ({zone_ref})", unverifiable=True)
        return
    zone = scope.attr(zone_ref.address, "name")
    if isinstance(zone, Unknown | Ref):
        run.report(inst, scope, "route53", f"zone of {zone_ref} not known statically ({zone})", unverifiable=True)
        return
    zone = str(zone).rstrip(".")
    name = val(body.attributes["name"].expr) if "name" in body.attributes else None
    rtype = val(body.attributes["type"].expr) if "type" in body.attributes else None
    if zone == facts.zone:
        return
    if zone == facts.parent_zone and rtype == "NS" and isinstance(name, str) and name.rstrip(".") == facts.zone:
        return
    run.report(
        inst,
        scope,
        "route53",
        f"record {name!r} ({rtype}) is in zone {zone!r}; only the client's zone {facts.zone!r} (and its NS "
        "delegation in the parent zone) may change",
    )


# --------------------------------------------------------------------------- policies


def _statements(scope: Scope, value: Any) -> list[dict[str, Any]] | Unknown:
    if isinstance(value, Ref) and value.address.startswith("data.aws_iam_policy_document."):
        if value.path == ("json",):
            return _policy_document(scope, value.address)
        if len(value.path) == 2 and value.path[1] == "json":
            # data.aws_iam_policy_document.x[key].json: the document instance of that for_each key
            return _policy_document(scope, value.address, key=value.path[0])
    doc: Any
    if isinstance(value, Encoded):
        doc = value.value
    elif isinstance(value, str):
        try:
            doc = json.loads(value)
        except ValueError:
            return Unknown("policy is not JSON")
    else:
        return Unknown(f"policy not known statically ({first_unknown(value) or value})")
    stmts = statement_list(doc) if isinstance(doc, Mapping) else None
    if stmts is None:
        return Unknown("policy has no Statement list")
    return stmts


def _policy_document(scope: Scope, address: str, key: str | None = None) -> list[dict[str, Any]] | Unknown:
    found = scope.block_by_address(address)
    if found is None:
        return Unknown(f"{address} not found")
    each = None
    if key is not None:
        instances = _instances(scope, found[0], found[1])
        if isinstance(instances, Unknown):
            return Unknown(f"{address}[{key!r}]: {instances.reason}")
        each = next((i.each for i in instances if i.each is not None and i.each[0] == key), None)
        counted = [i for i in instances if i.count is not None and str(i.count) == key]
        if each is None and not counted:
            return Unknown(f"{address} has no instance {key!r}")
        address = f"{address}[{key!r}]"
        count = counted[0].count if counted else None
        ev = scope.evaluator(each, count)
    else:
        ev = scope.evaluator()
    out: list[dict[str, Any]] = []
    body = found[1].body
    if body.blocks_of("dynamic") or any(
        k in body.attributes for k in ("source_policy_documents", "override_policy_documents")
    ):
        return Unknown(f"{address} uses dynamic statements or merged documents")
    for st in body.blocks_of("statement"):
        stmt: dict[str, Any] = {}
        try:
            for key, name in (
                ("effect", "Effect"),
                ("actions", "Action"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
                ("not_actions", "NotAction"),
            ):
                if key in st.body.attributes:
                    stmt[name] = ev.eval(st.body.attributes[key].expr)
            conds = []
            for c in st.body.blocks_of("condition"):
                conds.append({k: ev.eval(a.expr) for k, a in c.body.attributes.items()})
            stmt["_conditions"] = conds
        except EvalError as exc:
            return Unknown(f"{address}: {exc}")
        stmt.setdefault("Effect", "Allow")
        out.append(stmt)
    return out


def _s3_action(action: Any) -> bool:
    return isinstance(action, str) and (action == "*" or action.lower().startswith("s3:") or action.lower() == "s3:*")


def _prefix_condition(stmt: Mapping[str, Any], facts: ClientFacts) -> bool:
    values: list[Any] = []
    for c in stmt.get("_conditions", []):
        if c.get("variable") == "s3:prefix":
            values += as_list(c.get("values"))
    cond = stmt.get("Condition")
    if isinstance(cond, Mapping):
        for body in cond.values():
            if isinstance(body, Mapping) and "s3:prefix" in body:
                values += as_list(body["s3:prefix"])
    return bool(values) and all(isinstance(v, str) and any(v.startswith(p) for p in facts.prefixes) for v in values)


def _check_policy(scope: Scope, inst: Instance, value: Any, facts: ClientFacts, run: _Run) -> None:
    stmts = _statements(scope, value)
    if isinstance(stmts, Unknown):
        run.report(inst, scope, "s3", stmts.reason, unverifiable=True)
        return
    for stmt in stmts:
        if stmt.get("Effect") != "Allow":
            continue
        if "NotAction" in stmt or "NotResource" in stmt:
            run.report(inst, scope, "s3", "Allow with NotAction/NotResource", unverifiable=True)
            continue
        actions = as_list(stmt.get("Action"))
        if any(isinstance(a, Unknown | Ref) for a in actions):
            run.report(inst, scope, "s3", "actions not known statically", unverifiable=True)
            continue
        if not any(_s3_action(a) for a in actions):
            continue
        for res in as_list(stmt.get("Resource")):
            verdict = _s3_resource_ok(scope, res, stmt, facts)
            if verdict is True:
                continue
            if isinstance(verdict, Unknown):
                run.report(inst, scope, "s3", verdict.reason, unverifiable=True)
            else:
                run.report(
                    inst,
                    scope,
                    "s3",
                    f"allows {', '.join(map(str, actions))} on {res!r}, outside the client's prefixes {facts.prefixes}",
                )


def _s3_resource_ok(scope: Scope, res: Any, stmt: Mapping[str, Any], facts: ClientFacts) -> bool | Unknown:
    if isinstance(res, Ref):
        if res.address.startswith("aws_s3_bucket.") and res.path in (("arn",),):
            name = scope.attr(res.address, "bucket")
            if isinstance(name, str) and facts.name in name:
                return True
            return Unknown(f"bucket of {res} not known statically") if not isinstance(name, str) else False
        return Unknown(f"resource {res} not known statically")
    if isinstance(res, Unknown):
        return res
    if not isinstance(res, str):
        return False
    if not res.startswith("arn:aws:s3:::"):
        return res != "*" and not res.startswith("arn:aws:s3")
    path = res.removeprefix("arn:aws:s3:::")
    bucket, _, key = path.partition("/")
    if bucket in facts.buckets:
        if not key:
            return _prefix_condition(stmt, facts)
        return any(key.startswith(p) for p in facts.prefixes)
    return bool(bucket) and "*" not in bucket and facts.name in bucket


# --------------------------------------------------------------------------- security groups


def _check_sg(inst: Instance, body: h.Body, val: Any, facts: ClientFacts, run: _Run, scope: Scope) -> None:
    type_name = inst.block.labels[0]
    rules: list[tuple[str, Any, Any, Any]] = []  # (direction, cidrs, from, to)
    if type_name == "aws_security_group":
        for direction in ("ingress", "egress"):
            for b in body.blocks_of(direction):
                a = b.body.attributes
                cidrs = [val(a[k].expr) for k in ("cidr_blocks", "ipv6_cidr_blocks") if k in a]
                rules.append((direction, _flat(cidrs), _v(a, "from_port", val), _v(a, "to_port", val)))
            if direction in body.attributes:
                rules.append((direction, Unknown(f"{direction} given as an expression"), None, None))
    elif type_name == "aws_security_group_rule":
        a = body.attributes
        cidrs = [val(a[k].expr) for k in ("cidr_blocks", "ipv6_cidr_blocks") if k in a]
        rules.append((str(_v(a, "type", val)), _flat(cidrs), _v(a, "from_port", val), _v(a, "to_port", val)))
    elif type_name in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        a = body.attributes
        direction = "ingress" if "ingress" in type_name else "egress"
        cidrs = [val(a[k].expr) for k in ("cidr_ipv4", "cidr_ipv6") if k in a]
        rules.append((direction, _flat(cidrs), _v(a, "from_port", val), _v(a, "to_port", val)))
    for direction, cidrs, lo, hi in rules:
        if isinstance(cidrs, Unknown):
            run.report(inst, scope, "security-group", cidrs.reason, unverifiable=True)
            continue
        for cidr in cidrs:
            if isinstance(cidr, Unknown | Ref):
                run.report(
                    inst, scope, "security-group", f"{direction} CIDR not known statically ({cidr})", unverifiable=True
                )
                continue
            net = _net(cidr)
            if net is None:
                run.report(inst, scope, "security-group", f"{direction} CIDR {cidr!r} is not a CIDR")
                continue
            if any(net.version == own.version and net.subnet_of(own) for own in facts.cidrs):  # type: ignore[arg-type]
                continue
            if net.prefixlen == 0:
                if direction == "egress":
                    continue
                reason = _marker(inst, PUBLIC_MARKER)
                ports_ok = isinstance(lo, int) and isinstance(hi, int) and lo == hi and lo in PUBLIC_PORTS
                if ports_ok and reason and len(reason) >= MIN_REASON:
                    continue
                why = f"ports {lo}-{hi}" if not ports_ok else f"no `# {PUBLIC_MARKER} <reason>` marker on the resource"
                run.report(inst, scope, "security-group", f"{direction} from {cidr} ({why}); only 80/443 may be public")
                continue
            if direction == "egress" and not any(
                net.version == o.version and net.overlaps(o) for o in facts.other_cidrs
            ):
                continue
            run.report(inst, scope, "security-group", f"{direction} {cidr} is outside the client's own CIDRs")


def _v(attrs: Mapping[str, h.Attribute], name: str, val: Any) -> Any:
    return val(attrs[name].expr) if name in attrs else None


def _flat(values: list[Any]) -> list[Any] | Unknown:
    out: list[Any] = []
    for v in values:
        if isinstance(v, list):
            out += v
        elif isinstance(v, Unknown | Ref):
            return Unknown(f"CIDR list not known statically ({v})")
        elif v is not None:
            out.append(v)
    return out
