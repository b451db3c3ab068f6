"""Terraform configurations on disk: find module folders, parse their files, index their blocks.

A *module folder* is any folder with ``*.tf`` files (``.terraform/`` skipped). A *layer root* is a module
folder with a rendered ``clients.auto.tfvars.json`` next to it (the folders
``providers/aws/regions/<region>/layers/<layer>/<env>/``), or one whose files declare a backend.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

from clientctl.iac import hclast as h

TFVARS_FILE = "clients.auto.tfvars.json"
_LAYER_RE = re.compile(r"layers/([^/]+)/([^/]+)$")


@dataclass
class TfFile:
    path: Path
    text: str
    #: python-hcl2's result (None when the file does not parse).
    doc: dict[str, Any] | None = None
    #: our own tree (None when it could not be built).
    body: h.Body | None = None
    error: str | None = None
    error_line: int | None = None
    #: set when python-hcl2 parsed the file but hclast could not (checks relying on it are incomplete).
    ast_error: str | None = None


@dataclass
class TfModule:
    dir: Path
    files: list[TfFile] = field(default_factory=list)

    def blocks(self, type_: str) -> list[tuple[TfFile, h.Block]]:
        return [(f, b) for f in self.files if f.body is not None for b in f.body.blocks_of(type_)]

    @property
    def variables(self) -> dict[str, tuple[TfFile, h.Block]]:
        return {b.labels[0]: (f, b) for f, b in self.blocks("variable") if b.labels}

    @property
    def outputs(self) -> dict[str, tuple[TfFile, h.Block]]:
        return {b.labels[0]: (f, b) for f, b in self.blocks("output") if b.labels}

    @property
    def locals(self) -> dict[str, tuple[TfFile, h.Attribute]]:
        return {name: (f, a) for f, b in self.blocks("locals") for name, a in b.body.attributes.items()}

    @property
    def module_calls(self) -> dict[str, tuple[TfFile, h.Block]]:
        return {b.labels[0]: (f, b) for f, b in self.blocks("module") if b.labels}

    def resources(self, kind: str = "resource") -> list[tuple[TfFile, h.Block]]:
        return [(f, b) for f, b in self.blocks(kind) if len(b.labels) == 2]

    @property
    def tfvars(self) -> Path:
        return self.dir / TFVARS_FILE

    @property
    def is_root(self) -> bool:
        if self.tfvars.is_file():
            return True
        return any(tb.body.blocks_of("backend") for _, tb in self.blocks("terraform"))

    @property
    def layer(self) -> str | None:
        m = _LAYER_RE.search(self.dir.as_posix())
        return m.group(1) if m else None

    def rendered(self) -> dict[str, Any] | None:
        """The layer's clients.auto.tfvars.json, or None."""
        try:
            data: dict[str, Any] = json.loads(self.tfvars.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data


def parse_file(path: Path) -> TfFile:
    text = path.read_text(encoding="utf-8", errors="replace")
    tf = TfFile(path=path, text=text)
    try:
        tf.doc = hcl2.loads(text)
    except Exception as exc:  # python-hcl2 raises lark errors and others of its own
        line = getattr(exc, "line", None)
        tf.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        tf.error_line = line if isinstance(line, int) and line > 0 else None
    try:
        tf.body = h.parse_body(text)
    except h.HclSyntaxError as exc:
        if tf.error is None:
            tf.ast_error = str(exc)
        elif tf.error_line is None:
            tf.error_line = exc.line
    except RecursionError:
        tf.ast_error = "expression nesting too deep"
    return tf


def tf_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix == ".tf" else []
    return sorted(p for p in path.rglob("*.tf") if ".terraform" not in p.parts and p.is_file())


def load_modules(paths: list[Path]) -> dict[Path, TfModule]:
    """Every module folder under *paths*, keyed by resolved folder path."""
    modules: dict[Path, TfModule] = {}
    for base in paths:
        for file in tf_files(base):
            folder = file.parent.resolve()
            modules.setdefault(folder, TfModule(folder)).files.append(parse_file(file))
    return dict(sorted(modules.items()))


def load_module(folder: Path, cache: dict[Path, TfModule]) -> TfModule | None:
    """A module folder (possibly outside the checked paths, e.g. a called module), cached."""
    folder = folder.resolve()
    if folder not in cache:
        if not folder.is_dir():
            return None
        files = sorted(p for p in folder.glob("*.tf") if p.is_file())
        if not files:
            return None
        cache[folder] = TfModule(folder, [parse_file(p) for p in files])
    return cache[folder]


def literal_string(expr: h.Expr) -> str | None:
    if isinstance(expr, h.Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(str(p) for p in expr.parts)
    if isinstance(expr, h.Literal) and isinstance(expr.value, str):
        return expr.value
    return None


def module_source(call: h.Block) -> str | None:
    attr = call.body.attributes.get("source")
    return None if attr is None else literal_string(attr.expr)


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../"))


def required_providers(module: TfModule) -> dict[str, tuple[TfFile, int, str | None, str | None]]:
    """local name -> (file, line, source, version constraint) from ``terraform { required_providers {} }``."""
    out: dict[str, tuple[TfFile, int, str | None, str | None]] = {}
    for f, tb in module.blocks("terraform"):
        for rp in tb.body.blocks_of("required_providers"):
            for name, attr in rp.body.attributes.items():
                source = version = None
                if isinstance(attr.expr, h.ObjectExpr):
                    for k, v in attr.expr.items:
                        key = k.name if isinstance(k, h.Var) else literal_string(k)
                        if key == "source":
                            source = literal_string(v)
                        elif key == "version":
                            version = literal_string(v)
                out[name] = (f, attr.line, source, version)
    return out


def find_line(body: h.Body, path: list[str], default: int) -> int:
    """Line of a dotted argument/block path inside a body (best effort; *default* when not found)."""
    line = default
    cur: h.Body | None = body
    for part in path:
        if cur is None:
            break
        base = part.split("[", 1)[0]
        if base in cur.attributes:
            return cur.attributes[base].line
        blocks = cur.blocks_of(base)
        if not blocks:
            dyn = [b for b in cur.blocks_of("dynamic") if b.labels == (base,)]
            blocks = dyn
        if not blocks:
            break
        line = blocks[0].line
        cur = blocks[0].body
        content = cur.blocks_of("content") if blocks[0].type == "dynamic" else []
        if content:
            cur = content[0].body
    return line
