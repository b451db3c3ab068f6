"""``clientctl iac check``: offline verification of the Terraform code (docs/adr/ADR-012).

Five checks, each returning findings (file:line, rule, message):

* ``fmt``     — ``terraform fmt -check -recursive`` with a real Terraform binary;
* ``parse``   — every ``.tf`` file parses (python-hcl2);
* ``schema``  — every resource / data / ephemeral type, argument and nested block exists in the pinned
  provider's offline schema, required ones are present, and each root pins the version the schema is for;
* ``wiring``  — module inputs/outputs, variables, remote-state outputs and rendered client/settings keys;
* ``checkov`` — checkov (a subprocess: it lives in its own venv) with zero failed checks and only
  justified inline skips.

The core takes paths, the Terraform/checkov commands and the loaded schemas as parameters; the CLI only
finds them. See docs/iac-verification.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from clientctl.errors import Finding, rel
from clientctl.iac import provider_schema as ps
from clientctl.iac import wiring
from clientctl.iac.config import TfFile, TfModule, find_line, load_modules, required_providers
from clientctl.terraform import binary

ALL_CHECKS: Final = ("fmt", "parse", "validate", "test", "schema", "wiring", "checkov")
#: What ``clientctl validate`` runs (checkov takes tens of seconds; ``iac check`` runs them all).
FAST_CHECKS: Final = ("fmt", "parse", "validate", "schema", "wiring")
#: An inline checkov skip needs a reason at least this long (and of two words or more).
MIN_SKIP_REASON: Final = 15
_SKIP_RE: Final = re.compile(r"checkov:skip=([A-Za-z0-9_]+)(?::(.*))?$")
#: Meta-arguments etc. python-hcl2 keeps in bodies that the schema check must not see.
_KINDS: Final = ("resource", "data", "ephemeral")


@dataclass
class CheckOutcome:
    name: str
    findings: list[Finding] = field(default_factory=list)
    #: Things deliberately not checked, each with the reason.
    skipped: list[str] = field(default_factory=list)
    ran: bool = True
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.ran and not any(f.level == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "ran": self.ran,
            "seconds": round(self.seconds, 3),
            "findings": [f.to_dict() for f in self.findings],
            "skipped": self.skipped,
        }


@dataclass
class IacContext:
    paths: list[Path]
    root: Path | None
    modules: dict[Path, TfModule]
    cache: dict[Path, TfModule]

    @property
    def files(self) -> list[TfFile]:
        return [f for m in self.modules.values() for f in m.files]


def load_context(paths: Sequence[Path], root: Path | None) -> IacContext:
    existing = [p for p in paths if p.exists()]
    modules = load_modules(existing)
    return IacContext(list(existing), root, modules, dict(modules))


# --------------------------------------------------------------------------- discovery


def find_checkov() -> list[str] | None:
    """``checkov`` next to the running interpreter (tools/install-checkov.sh), else checkov.main importable
    by this interpreter, else PATH."""
    beside = Path(sys.executable).parent / "checkov"
    if beside.exists() and os.access(beside, os.X_OK):
        return [str(beside)]
    try:
        import importlib.util

        if importlib.util.find_spec("checkov") is not None:
            return [sys.executable, "-m", "checkov.main"]
    except (ImportError, ValueError):
        pass
    found = shutil.which("checkov")
    return [found] if found else None


# --------------------------------------------------------------------------- 1. fmt


def check_fmt(ctx: IacContext, terraform: Path | None) -> CheckOutcome:
    out = CheckOutcome("fmt")
    if not ctx.files:
        out.skipped.append("no .tf files found")
        return out
    if terraform is None or not terraform.exists():
        out.ran = False
        where = f" at {terraform}" if terraform is not None else ""
        out.findings.append(
            Finding(
                rule="iac.fmt.no-terraform",
                message=f"no Terraform binary{where}: `terraform fmt -check` did not run",
                hint="run ./dev setup (installs .venv/bin/terraform) or pass --terraform PATH",
            )
        )
        return out
    for base in ctx.paths:
        try:
            proc = subprocess.run(
                [str(terraform), "fmt", "-check", "-recursive", "-list=true", "-no-color", str(base)],
                capture_output=True,
                text=True,
                env=binary.environment(),
                timeout=300,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            out.ran = False
            out.findings.append(Finding(rule="iac.fmt.failed", message=f"cannot run {terraform}: {exc}"))
            return out
        if proc.returncode not in (0, 3):
            lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and "CLI configuration" not in ln]
            detail = lines[0].strip("│ ").strip() if lines else f"exit {proc.returncode}"
            out.findings.append(
                Finding(
                    rule="iac.fmt.failed",
                    message=f"terraform fmt failed under {rel(base, ctx.root)}: {detail}",
                    file=rel(base, ctx.root),
                    hint="see the parse check for syntax errors",
                )
            )
        for name in proc.stdout.splitlines():
            if not name.strip():
                continue
            path = Path(name.strip())
            if not path.is_absolute() and not path.exists():
                path = base / name.strip() if base.is_dir() else base
            out.findings.append(
                Finding(
                    rule="iac.fmt",
                    message="file is not formatted as `terraform fmt` would write it",
                    file=rel(path, ctx.root),
                    line=_first_unformatted_line(terraform, path),
                    hint=f"run: terraform fmt {rel(path, ctx.root)}",
                )
            )
    return out


def _first_unformatted_line(terraform: Path, path: Path) -> int | None:
    try:
        original = path.read_text(encoding="utf-8")
        proc = subprocess.run(
            [str(terraform), "fmt", "-no-color", "-"],
            input=original,
            capture_output=True,
            text=True,
            env=binary.environment(),
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    for i, (a, b) in enumerate(zip(original.splitlines(), proc.stdout.splitlines(), strict=False), start=1):
        if a != b:
            return i
    return min(len(original.splitlines()), len(proc.stdout.splitlines())) + 1


# --------------------------------------------------------------------------- 2. parse


def check_parse(ctx: IacContext) -> CheckOutcome:
    out = CheckOutcome("parse")
    for f in ctx.files:
        if f.error is not None:
            out.findings.append(
                Finding(
                    rule="iac.parse",
                    message=f"does not parse: {f.error}",
                    file=rel(f.path, ctx.root),
                    line=f.error_line,
                )
            )
        elif f.ast_error is not None:
            out.findings.append(
                Finding(
                    rule="iac.parse.limited",
                    level="warning",
                    message=f"parses, but clientctl's expression parser cannot read it ({f.ast_error}); "
                    "wiring and isolation checks skip this file",
                    file=rel(f.path, ctx.root),
                )
            )
    return out


# --------------------------------------------------------------------------- 3. schema

_VERSION_RE: Final = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+)*)\s*$")


def version_satisfies(version: str, constraint: str) -> bool | None:
    """Does *version* meet a Terraform version constraint ("= 6.69.1", ">= 6.0, < 7")? None if unparsable."""
    try:
        return binary.satisfies(version, constraint)
    except ValueError:
        return None


def _exact_pin(constraint: str) -> str | None:
    m = _VERSION_RE.match(constraint)
    if m is None or (m.group(1) or "=") != "=":
        return None
    return m.group(2)


def _schema_for(schemas: Mapping[str, ps.ProviderSchema], kind: str, type_name: str) -> tuple[ps.Block | None, str]:
    """(BLOCK, "") or (None, reason-skipped) or (None, "") for an unknown type."""
    builtin = ps.BUILTIN_SCHEMAS.get(ps.SECTIONS[kind], {}).get(type_name)
    if builtin is not None:
        return builtin, ""
    provider = ps.provider_for_type(type_name)
    schema = schemas.get(provider)
    if schema is None:
        return None, f"no offline schema for provider {provider!r} (have: {', '.join(sorted(schemas)) or 'none'})"
    block = schema.block(kind, type_name)  # type: ignore[arg-type]
    return block, ""


def _problem_line(f: TfFile, kind: str, type_name: str, name: str, path: str, default: int) -> int:
    if f.body is None:
        return default
    for b in f.body.blocks_of(kind):
        if b.labels == (type_name, name):
            parts = [p for p in re.split(r"\.(?![^\[]*\])", path)][2 if kind == "resource" else 3 :]
            return find_line(b.body, [p for p in parts if p not in ("dynamic", "content")], b.line)
    return default


def check_schema(ctx: IacContext, schemas: Mapping[str, ps.ProviderSchema]) -> CheckOutcome:
    out = CheckOutcome("schema")
    for module in ctx.modules.values():
        for f in module.files:
            if f.doc is None:
                continue
            lines = _block_lines(f)
            for kind in _KINDS:
                for entry in _mappings(f.doc.get(kind)):
                    for type_label, named in entry.items():
                        if type_label.startswith("__") or not isinstance(named, Mapping):
                            continue
                        type_name = ps.unquote(type_label)
                        for name_label, body in named.items():
                            if name_label.startswith("__") or not isinstance(body, Mapping):
                                continue
                            name = ps.unquote(name_label)
                            line = lines.get((kind, type_name, name))
                            address = f"{'' if kind == 'resource' else kind + '.'}{type_name}.{name}"
                            block, reason = _schema_for(schemas, kind, type_name)
                            if block is None and reason:
                                out.skipped.append(f"{rel(f.path, ctx.root)}:{line}: {address} ({reason})")
                                continue
                            if block is None:
                                provider = ps.provider_for_type(type_name)
                                tschema = schemas[provider]
                                known = list(tschema.section(kind))
                                import difflib

                                close = difflib.get_close_matches(type_name, known, n=1)
                                out.findings.append(
                                    Finding(
                                        rule="iac.schema.unknown-type",
                                        message=f"{address}: {tschema.source} {tschema.version} has no {kind} type "
                                        f"{type_name!r}",
                                        file=rel(f.path, ctx.root),
                                        line=line,
                                        hint=f"did you mean {close[0]!r}?" if close else None,
                                    )
                                )
                                continue
                            result = ps.check_body(block, body, address)
                            for p in result.problems:
                                out.findings.append(
                                    Finding(
                                        rule=f"iac.schema.{p.code}",
                                        message=p.message if p.path in p.message else f"{p.path}: {p.message}",
                                        file=rel(f.path, ctx.root),
                                        line=_problem_line(f, kind, type_name, name, p.path, line or 0) or line,
                                    )
                                )
                            out.skipped += [f"{rel(f.path, ctx.root)}:{line}: {s}" for s in result.skipped]
            for entry in _mappings(f.doc.get("provider")):
                for label, body in entry.items():
                    if label.startswith("__") or not isinstance(body, Mapping):
                        continue
                    pname = ps.unquote(label)
                    pschema = schemas.get(pname)
                    if pschema is None:
                        out.skipped.append(f"{rel(f.path, ctx.root)}: provider {pname!r} (no offline schema)")
                        continue
                    result = ps.check_body(
                        pschema.provider, body, f"provider.{pname}", extra=ps.PROVIDER_META_ARGUMENTS
                    )
                    for p in result.problems:
                        out.findings.append(
                            Finding(
                                rule=f"iac.schema.{p.code}",
                                message=f"{p.path}: {p.message}",
                                file=rel(f.path, ctx.root),
                                line=lines.get(("provider", pname, "")),
                            )
                        )
        out.findings += _check_pins(module, schemas, ctx.root)
    return out


def _check_pins(module: TfModule, schemas: Mapping[str, ps.ProviderSchema], root: Path | None) -> list[Finding]:
    findings: list[Finding] = []
    pins = required_providers(module)
    used = {
        ps.provider_for_type(b.labels[0])
        for kind in _KINDS
        for _f, b in module.resources(kind)
        if not b.labels[0].startswith("terraform_")
    }
    for local_name, (f, line, source, constraint) in pins.items():
        schema = schemas.get(local_name)
        if schema is None:
            continue
        expected_source = schema.source.removeprefix("registry.terraform.io/")
        if source is not None and source.removeprefix("registry.terraform.io/") != expected_source:
            findings.append(
                Finding(
                    rule="iac.schema.provider-source",
                    message=f"provider {local_name!r} has source {source!r}; the offline schema is for {expected_source}",
                    file=rel(f.path, root),
                    line=line,
                )
            )
        if constraint is None:
            findings.append(
                Finding(
                    rule="iac.schema.version-pin",
                    message=f"provider {local_name!r} has no version constraint (the schema checked is {schema.version})",
                    file=rel(f.path, root),
                    line=line,
                )
            )
            continue
        if module.is_root:
            pin = _exact_pin(constraint)
            if pin is None:
                findings.append(
                    Finding(
                        rule="iac.schema.version-pin",
                        message=f"provider {local_name!r}: a layer root pins an exact version (= {schema.version}), "
                        f"not {constraint!r}",
                        file=rel(f.path, root),
                        line=line,
                    )
                )
            elif binary.parse_version(pin) != binary.parse_version(schema.version):
                findings.append(
                    Finding(
                        rule="iac.schema.version-mismatch",
                        message=f"provider {local_name!r} is pinned to {pin} but the offline schema checked is "
                        f"{schema.version}",
                        file=rel(f.path, root),
                        line=line,
                        hint="pin the schema's version, or regenerate the schema for the new pin "
                        "(tools/provider_schema/fetch.sh)",
                    )
                )
        elif version_satisfies(schema.version, constraint) is False:
            findings.append(
                Finding(
                    rule="iac.schema.version-mismatch",
                    message=f"provider {local_name!r}: constraint {constraint!r} excludes {schema.version}, the "
                    "version the roots pin and the schema describes",
                    file=rel(f.path, root),
                    line=line,
                )
            )
    if module.is_root:
        for provider in sorted(used - set(pins)):
            if provider in schemas:
                findings.append(
                    Finding(
                        rule="iac.schema.version-pin",
                        message=f"provider {provider!r} is used but not in required_providers (pin = "
                        f"{schemas[provider].version})",
                        file=rel(module.dir, root),
                    )
                )
    return findings


def _mappings(value: object) -> list[Mapping[str, Any]]:
    """The mappings of a python-hcl2 value that is one block or a list of blocks."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _block_lines(f: TfFile) -> dict[tuple[str, str, str], int]:
    out: dict[tuple[str, str, str], int] = {}
    if f.body is None:
        return out
    for b in f.body.blocks:
        if b.type in _KINDS and len(b.labels) == 2:
            out[(b.type, b.labels[0], b.labels[1])] = b.line
        elif b.type == "provider" and b.labels:
            out.setdefault(("provider", b.labels[0], ""), b.line)
    return out


# --------------------------------------------------------------------------- 4. wiring


def check_wiring(ctx: IacContext) -> CheckOutcome:
    out = CheckOutcome("wiring")
    for module in ctx.modules.values():
        out.findings += wiring.check_module(module, ctx.cache, ctx.root)
        for f in module.files:
            if f.body is None and f.error is None:
                out.skipped.append(f"{rel(f.path, ctx.root)} (expression parser: {f.ast_error})")
    return out


# --------------------------------------------------------------------------- 5. checkov


def check_checkov(ctx: IacContext, checkov: Sequence[str] | None) -> CheckOutcome:
    out = CheckOutcome("checkov")
    if not ctx.files:
        out.skipped.append("no .tf files found")
        return out
    if not checkov:
        out.ran = False
        out.findings.append(
            Finding(
                rule="iac.checkov.missing",
                message="checkov is not installed: the security scan did not run",
                hint="run ./dev setup (tools/install-checkov.sh) or pass --skip checkov",
            )
        )
        return out
    for base in [p.resolve() for p in ctx.paths]:
        if not any(p.suffix == ".tf" for p in ([base] if base.is_file() else base.rglob("*.tf"))):
            continue
        target = ["-f", str(base)] if base.is_file() else ["-d", str(base)]
        cmd = [
            *checkov,
            *target,
            "--framework",
            "terraform",
            "--output",
            "json",
            "--compact",
            "--skip-download",
            "--download-external-modules",
            "false",
        ]
        env = dict(os.environ)
        env.update({"BC_SKIP_MAPPING": "TRUE", "CHECKOV_NO_OUTPUT_ON_ERROR": "0", "LOG_LEVEL": "ERROR"})
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                env=env,
                timeout=900,
                cwd=str(base if base.is_dir() else base.parent),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            out.ran = False
            out.findings.append(Finding(rule="iac.checkov.failed", message=f"cannot run checkov: {exc}"))
            return out
        try:
            data = json.loads(proc.stdout) if proc.stdout.strip() else []
        except ValueError:
            out.ran = False
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            out.findings.append(Finding(rule="iac.checkov.failed", message=f"checkov output is not JSON: {tail}"))
            return out
        reports = data if isinstance(data, list) else [data]
        for report in reports:
            if not isinstance(report, Mapping):
                continue
            results = report.get("results") or {}
            for item in results.get("failed_checks") or []:
                out.findings.append(_checkov_finding(item, base, ctx.root))
    # checkov 3.3's JSON leaves suppress_comment empty, so the reasons are read from the source.
    for f in ctx.files:
        for lineno, text in enumerate(f.text.splitlines(), start=1):
            m = _SKIP_RE.search(text)
            if m is None:
                continue
            check_id, reason = m.group(1), (m.group(2) or "").strip()
            where = f"{rel(f.path, ctx.root)}:{lineno}"
            if _weak_reason(reason):
                out.findings.append(
                    Finding(
                        rule="iac.checkov.weak-skip",
                        message=f"{check_id} skipped without an acceptable reason ({reason or 'empty'!r})",
                        file=rel(f.path, ctx.root),
                        line=lineno,
                        hint=f"give a reason of at least {MIN_SKIP_REASON} characters a reviewer accepts: "
                        f"#checkov:skip={check_id}:<why this is safe>",
                    )
                )
            else:
                out.skipped.append(f"{where}: {check_id} skipped: {reason}")
    return out


def _weak_reason(reason: str) -> bool:
    text = reason.strip()
    if not text or text.lower() in ("no comment provided", "none", "n/a", "todo", "skip", "false positive"):
        return True
    return len(text) < MIN_SKIP_REASON or len(text.split()) < 2


def _checkov_file(item: Mapping[str, Any], base: Path) -> Path:
    if item.get("file_abs_path"):
        return Path(str(item["file_abs_path"]))
    return ((base if base.is_dir() else base.parent) / str(item.get("file_path") or "").lstrip("/")).resolve()


def _checkov_finding(item: Mapping[str, Any], base: Path, root: Path | None) -> Finding:
    full = _checkov_file(item, base)
    lines = item.get("file_line_range") or [None]
    check_id = str(item.get("check_id"))
    resource = item.get("resource")
    message = f"{check_id} failed on {resource}: {item.get('check_name')}"
    hint = item.get("guideline") or "fix it, or add `#checkov:skip=<ID>:<reason a reviewer accepts>`"
    return Finding(
        rule="iac.checkov.failed-check", message=message, file=rel(full, root), line=lines[0], hint=str(hint)
    )


# --------------------------------------------------------------------------- 3. terraform validate


def check_validate(ctx: IacContext, terraform: Path | None, name: str = "validate") -> CheckOutcome:
    """``terraform init -backend=false`` + ``terraform validate -json`` (``name="test"``: ``terraform test``)
    on every root and module, with the provider stand-ins, on a copy (``clientctl.iac.tf_validate``)."""
    from clientctl.iac import tf_validate

    out = CheckOutcome(name)
    if terraform is None or not terraform.exists():
        out.ran = False
        out.findings.append(
            Finding(
                rule=f"iac.{name}.no-terraform",
                message=f"no Terraform binary: `terraform {name}` did not run",
                hint="run ./dev setup (installs .venv/bin/terraform) or pass --terraform PATH",
            )
        )
        return out
    groups: dict[Path, list[str]] = {}
    for base in (p for p in ctx.paths if p.is_dir()):
        resolved = base.resolve()
        root = ctx.root.resolve() if ctx.root is not None else None
        if root is not None and resolved.is_relative_to(root) and resolved != root:
            groups.setdefault(root, []).append(str(resolved.relative_to(root)))
        else:
            groups.setdefault(resolved.parent, []).append(resolved.name)
    for base, tops in groups.items():
        found = (tf_validate.run_tests if name == "test" else tf_validate.validate)(base, terraform, tops=tops)
        if base != (ctx.root.resolve() if ctx.root is not None else None):
            found = [replace(f, file=rel(base / f.file, ctx.root)) if f.file else f for f in found]
        out.findings.extend(found)
    if not groups:
        out.skipped.append("no folder to validate")
    return out


# --------------------------------------------------------------------------- all


Runner = Callable[[], CheckOutcome]


def run_iac_checks(
    paths: Sequence[Path],
    *,
    root: Path | None,
    only: Sequence[str] = ALL_CHECKS,
    terraform: Path | None,
    checkov: Sequence[str] | None,
    schemas: Mapping[str, ps.ProviderSchema],
) -> list[CheckOutcome]:
    """Run the selected checks over *paths* (files or folders) and return one outcome per check."""
    ctx = load_context(paths, root)
    runners: dict[str, Runner] = {
        "fmt": lambda: check_fmt(ctx, terraform),
        "parse": lambda: check_parse(ctx),
        "validate": lambda: check_validate(ctx, terraform),
        "test": lambda: check_validate(ctx, terraform, "test"),
        "schema": lambda: check_schema(ctx, schemas),
        "wiring": lambda: check_wiring(ctx),
        "checkov": lambda: check_checkov(ctx, checkov),
    }
    outcomes = []
    for name in ALL_CHECKS:
        if name not in only:
            continue
        started = time.perf_counter()
        outcome = runners[name]()
        outcome.seconds = time.perf_counter() - started
        outcomes.append(outcome)
    return outcomes


def default_paths(root: Path) -> list[Path]:
    return [root / "modules", root / "providers"]


def load_schemas() -> dict[str, ps.ProviderSchema]:
    """Every shipped offline schema (aws, helm, kubernetes)."""
    return {name: ps.load_schema(name) for name in ps.available_schemas()}
