"""YAML reading with line numbers, and comment-preserving edits.

Loading uses libyaml (PyYAML's C loader) because validation of a 1,000-client registry must stay fast;
line numbers are looked up only when there is something to report (``line_of``). Editing a client file
(``client add --set``) goes through ruamel.yaml's round-trip mode so comments and key order survive.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from clientctl.errors import ConfigError, clip

try:  # libyaml is bundled with PyYAML wheels; fall back to the pure-Python loader if missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _UniqueKeyLoader(_Loader):
    """Safe loader that rejects duplicate keys (plain YAML silently keeps the last one)."""


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value (a name), not a list or a mapping", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first defined on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    result: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    return result


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _checked(tag: str, what: str) -> None:
    """Re-raise a scalar constructor's ValueError (``2026-13-45``, a 5,000-digit number) with its line."""
    base = yaml.constructor.SafeConstructor.yaml_constructors[tag]

    def construct(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return base(loader, node)
        except (ValueError, OverflowError) as exc:
            reason = f"{len(node.value):,} digits" if "int_max_str_digits" in str(exc) else str(exc)
            raise yaml.constructor.ConstructorError(
                None, None, f"{clip(node.value, 40)!r} is not a valid {what} ({reason})", node.start_mark
            ) from None

    _UniqueKeyLoader.add_constructor(tag, construct)


for _tag, _what in (
    ("tag:yaml.org,2002:timestamp", "date (YYYY-MM-DD)"),
    ("tag:yaml.org,2002:int", "whole number"),
    ("tag:yaml.org,2002:float", "number"),
):
    _checked(_tag, _what)


def load_mapping(path: Path, display: str) -> dict[str, Any]:
    """Load a YAML file that must hold a mapping. Every failure is a :class:`ConfigError` naming the file."""
    return parse_mapping(read_text(path, display), display)


def read_text(path: Path, display: str) -> str:
    """The UTF-8 text of a regular file; anything else (a FIFO, a device, a folder) is a ConfigError.

    The file is opened non-blocking and checked with fstat before it is read, so a FIFO named like a
    registry file cannot make a command hang.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConfigError(f"{display}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{display}: cannot read file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ConfigError(
                f"{display}: not a regular file", hint="registry files must be plain files; remove or rename it"
            )
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{display}: cannot read file: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def parse_mapping(text: str, display: str) -> dict[str, Any]:
    if not text.strip():
        raise ConfigError(
            f"{display}: the file is empty",
            hint="a registry file must hold a YAML mapping; see the samples in clients/ and the README",
        )
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{display}:{mark.line + 1}" if mark is not None else display
        problem = exc.problem or str(exc)
        raise ConfigError(f"{where}: invalid YAML: {problem}", hint="fix the YAML syntax at that line") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{display}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise ConfigError(
            f"{display}: expected a YAML mapping (key: value) at the top level, found {kind}",
            hint="the file must start with keys such as 'name:'; see the samples in clients/",
        )
    for key in data:
        if not isinstance(key, str):
            raise ConfigError(f"{display}: top-level key {key!r} is not a string")
    return data


@lru_cache(maxsize=256)
def _node_tree(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """1-based line of the value at ``path`` (keys and list indexes); the deepest existing node if the
    full path does not exist (e.g. a missing key is reported at its parent mapping)."""
    node = _node_tree(text)
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def dump(data: Any) -> str:
    """Deterministic block-style YAML for generated files."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=110)


def roundtrip_load(text: str) -> Any:
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    return rt.load(text)


def roundtrip_dump(data: Any) -> str:
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 110
    buf = io.StringIO()
    rt.dump(data, buf)
    return buf.getvalue()
