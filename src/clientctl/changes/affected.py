"""Which (client, layer) pairs a change touches: derived from what each node consumes, not from folder names.

A node (client, layer) is one Terraform state. It consumes exactly four things, and only those can change
its plan:

1. its client's rendered entry, *as the layer's ``variable "clients"`` type sees it*: each layer root
   declares only the attributes it reads, and Terraform's conversion drops the rest, so a change to
   ``eks.desired_size`` reaches 02-platform and no other layer;
2. the layer folder's rendered ``settings``, through ``variable "settings"``'s type, and its ``backend.hcl``;
3. the layer root's own Terraform files, and every module it calls (local sources, followed transitively);
4. the outputs of its upstream layers (``terraform_remote_state``): whatever changes a node may change the
   nodes downstream of it in :data:`clientctl.layers.LAYERS`, so they are selected too.

Both revisions are rendered in memory by the installed clientctl (the committed ``clients.auto.tfvars.json``
may be stale; ``render --check`` catches that), and a client removed from the registry selects its nodes for
destroy, in reverse layer order. See docs/ci.md (Change detection).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from clientctl import naming
from clientctl.changes import git
from clientctl.errors import ConfigError
from clientctl.iac import hclast as h
from clientctl.iac.config import is_local_source, literal_string
from clientctl.iac.wiring import convert
from clientctl.layers import LAYER_NAMES, downstream
from clientctl.paths import CLIENTS_DIR, PLATFORM_FILE, client_path
from clientctl.registry.loader import LoadedClient, client_from_text
from clientctl.registry.models import Client, Platform
from clientctl.registry.resolve import resolve
from clientctl.render.render import BACKEND_FILE, TFVARS_FILE, backend_hcl, settings
from clientctl.rules import platform_from_text

Action = Literal["apply", "destroy"]
#: Folders holding Terraform: layer roots under ``providers/``, modules under ``modules/``.
TERRAFORM_DIRS: tuple[str, ...] = ("providers", "modules")
#: Files in a Terraform folder that change no plan: tests, docs, and the files clientctl renders (a change to
#: a rendered file is seen through the registry it is rendered from).
INERT_SUFFIXES: tuple[str, ...] = (".tftest.hcl", ".md")
INERT_DIRS: frozenset[str] = frozenset({"tests", ".terraform"})
#: (The rendered prologue ``layer.tf`` is not among them: it is rendered from clientctl's own layers.py, not
#: from the registry, so a change to it is a change of the layer's Terraform, like any other ``.tf`` file.)
RENDERED_FILES: frozenset[str] = frozenset({TFVARS_FILE, BACKEND_FILE})
#: How many differing values one reason names before it says "and N more".
SHOWN_DIFFS = 3


@dataclass(frozen=True)
class AffectedNode:
    client: str
    layer: str
    action: Action
    #: Why the node is selected: each a chain "file -> what changed -> layer -> client".
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"client": self.client, "layer": self.layer, "action": self.action, "reasons": list(self.reasons)}


@dataclass
class AffectedResult:
    base: str
    base_label: str
    head: str | None  # None: the working tree
    changed_files: list[str] = field(default_factory=list)
    nodes: list[AffectedNode] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "base_label": self.base_label,
            "head": self.head or "working tree",
            "changed_files": self.changed_files,
            "nodes": [n.to_dict() for n in self.nodes],
            "warnings": self.warnings,
        }


@dataclass
class _Changes:
    """The changed files, sorted by what they feed."""

    platform: bool = False
    clients: set[str] = field(default_factory=set)  # client names whose file changed (added, edited, removed)
    terraform: dict[str, list[str]] = field(default_factory=dict)  # Terraform folder -> changed files in it
    code: list[str] = field(default_factory=list)  # clientctl's own source


def affected(root: Path, *, base: str | None = None, head: str | None = None) -> AffectedResult:
    """The nodes whose inputs differ between ``base`` (default: the merge base of HEAD with the default branch)
    and ``head`` (default: the working tree, uncommitted and untracked files included)."""
    if base is None:
        base_commit, base_label = git.default_base(root)
    else:
        base_commit, base_label = git.commit_of(root, base), base
    head_commit = git.commit_of(root, head) if head is not None else None
    files = git.changed_files(root, base_commit, head_commit)
    result = AffectedResult(base=base_commit, base_label=base_label, head=head_commit, changed_files=files)
    base_tree, head_tree = git.Tree(root, base_commit), git.Tree(root, head_commit)
    changes = _classify(files, head_tree)
    if head_commit is None:
        dirty = [f for f in git.uncommitted_files(root) if f in set(files)]
        if dirty:
            result.warnings.append(
                f"the working tree has {len(dirty)} uncommitted or untracked change(s) (e.g. {dirty[0]}); they "
                "are included: commit them, or pass --head HEAD to compare commits only"
            )
    if changes.code:
        result.warnings.append(
            f"clientctl's own code changed ({changes.code[0]}"
            + (f" and {len(changes.code) - 1} more" if len(changes.code) > 1 else "")
            + "): both revisions are rendered by the installed clientctl, so a change in how it renders is "
            "not seen here; plan every client if the renderer changed"
        )
    result.nodes = _select(changes, base_tree, head_tree, base_label, result.warnings)
    return result


def _classify(files: Iterable[str], head: git.Tree) -> _Changes:
    changes = _Changes()
    for file in files:
        path = PurePosixPath(file)
        if file == PLATFORM_FILE:
            changes.platform = True
        elif len(path.parts) == 2 and path.parts[0] == CLIENTS_DIR and path.suffix == ".yaml":
            changes.clients.add(path.stem)
        elif path.parts[0] in TERRAFORM_DIRS:
            if path.name in RENDERED_FILES or path.name.endswith(INERT_SUFFIXES) or INERT_DIRS & set(path.parts):
                continue
            folder = _terraform_folder(path, head)
            if folder is not None:
                changes.terraform.setdefault(folder, []).append(file)
        elif path.parts[:2] == ("src", "clientctl"):
            changes.code.append(file)
    return changes


def _terraform_folder(path: PurePosixPath, head: git.Tree) -> str | None:
    """The Terraform folder a file belongs to: the nearest folder at or above it holding ``.tf`` files in the
    head revision (a template under ``modules/x/templates/`` belongs to ``modules/x``), or the file's own folder
    when it is a deleted ``.tf`` file."""
    for folder in path.parents:
        if folder == PurePosixPath("."):
            break
        if any(name.endswith(".tf") for name in head.files(folder.as_posix())):
            return folder.as_posix()
    return path.parent.as_posix() if path.suffix == ".tf" else None


# --------------------------------------------------------------------------- Terraform folders


@dataclass
class _Root:
    region: str
    layer: str
    environment: str
    folder: str
    clients_type: h.Expr | None = None
    settings_type: h.Expr | None = None
    calls: dict[str, str] = field(default_factory=dict)  # module folder -> the chain that reaches it


def _bodies(tree: git.Tree, folder: str, needle: str) -> list[h.Body]:
    """The parsed ``.tf`` files of ``folder`` that contain ``needle`` (the others cannot hold what is sought,
    and parsing every file of every root would cost more than the rest of the comparison)."""
    paths = [f"{folder}/{name}" for name in tree.files(folder) if name.endswith(".tf")]
    bodies = []
    for text in tree.read_many(paths).values():
        if text is None or needle not in text:
            continue
        try:
            bodies.append(h.parse_body(text))
        except h.HclSyntaxError:
            continue  # `clientctl iac check` reports it; the layer then consumes its whole rendered entry
    return bodies


def _module_calls(tree: git.Tree, folder: str, cache: dict[str, list[str]]) -> list[str]:
    if folder in cache:
        return cache[folder]
    calls = cache.setdefault(folder, [])
    for body in _bodies(tree, folder, "module"):
        for block in body.blocks_of("module"):
            attr = block.body.attributes.get("source")
            source = literal_string(attr.expr) if attr is not None else None
            if source is not None and is_local_source(source):
                calls.append(posixpath.normpath(f"{folder}/{source}"))
    return calls


def _roots(head: git.Tree, scopes: Iterable[tuple[str, str]], *, follow_modules: bool) -> dict[str, _Root]:
    """Every layer root of the given (region, environment) scopes, with its variable types and (if asked) the
    modules it calls, keyed by folder relative to the repository."""
    roots: dict[str, _Root] = {}
    calls: dict[str, list[str]] = {}
    if follow_modules:  # one read for every Terraform file
        head.read_many([p for folder in TERRAFORM_DIRS for p in head.files_under(folder, ".tf")])
    for region, environment in sorted(set(scopes)):
        for layer in LAYER_NAMES:
            folder = naming.layer_dir(region, layer, environment)
            root = _Root(region, layer, environment, folder)
            for body in _bodies(head, folder, "variable"):
                for block in body.blocks_of("variable"):
                    type_attr = block.body.attributes.get("type")
                    if block.labels and block.labels[0] == "clients" and type_attr is not None:
                        root.clients_type = type_attr.expr
                    if block.labels and block.labels[0] == "settings" and type_attr is not None:
                        root.settings_type = type_attr.expr
            # Follow local module sources breadth-first; the first chain that reaches a module explains it.
            frontier = [(folder, layer)] if follow_modules else []
            while frontier:
                current, chain = frontier.pop(0)
                for called in _module_calls(head, current, calls):
                    if called not in root.calls:
                        root.calls[called] = f"{chain} calls {called}"
                        frontier.append((called, f"{chain} -> {called}"))
            roots[folder] = root
    return roots


# --------------------------------------------------------------------------- selection


def _diffs(old: Any, new: Any, path: str = "") -> list[str]:
    """The leaf paths where two JSON values differ, as ``path (old -> new)``."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append(f"{sub} (added)")
            elif key not in new:
                out.append(f"{sub} (removed)")
            else:
                out += _diffs(old[key], new[key], sub)
        return out
    if old == new:
        return []
    return [f"{path or 'value'} ({_short(old)} -> {_short(new)})"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _described(diffs: list[str]) -> str:
    shown = ", ".join(diffs[:SHOWN_DIFFS])
    return shown + (f" and {len(diffs) - SHOWN_DIFFS} more" if len(diffs) > SHOWN_DIFFS else "")


def _load_clients(tree: git.Tree, names: Iterable[str], label: str) -> dict[str, LoadedClient]:
    """The named clients as they are in ``tree`` (a name without a file there is skipped)."""
    paths = {name: client_path(name) for name in sorted(names)}
    texts = tree.read_many(list(paths.values()))
    clients: dict[str, LoadedClient] = {}
    problems = []
    for name, path in paths.items():
        text = texts[path]
        if text is None:
            continue
        loaded, found = client_from_text(text, tree.root / path, tree.root)
        problems += found
        if loaded is not None:
            clients[name] = loaded
    if problems:
        raise ConfigError(f"{label}: {len(problems)} problem(s) in the client registry", findings=problems)
    return clients


def _all_clients(tree: git.Tree) -> list[str]:
    return [name.removesuffix(".yaml") for name in tree.files(CLIENTS_DIR) if name.endswith(".yaml")]


#: A top-level ``region: x`` / ``environment: y`` line (column 0, plain value): a YAML top-level key, since
#: anything nested or inside a block scalar is indented.
_SCOPE_LINE = re.compile(r"^(region|environment):[ \t]*([A-Za-z0-9][A-Za-z0-9_.-]*)[ \t]*(?:#.*)?$", re.MULTILINE)


def _scopes(tree: git.Tree, names: list[str]) -> dict[str, tuple[str, str]]:
    """(region, environment) of each client, read from its two top-level lines without building the model
    (a Terraform change needs only where each client lives; 1,000 full loads would dominate the run). A file
    where the two lines are not found exactly once each is loaded and checked in full."""
    paths = {name: client_path(name) for name in names}
    texts = tree.read_many(list(paths.values()))
    found: dict[str, tuple[str, str]] = {}
    slow = []
    for name, path in paths.items():
        text = texts[path] or ""
        values: dict[str, list[str]] = {"region": [], "environment": []}
        for match in _SCOPE_LINE.finditer(text):
            values[match.group(1)].append(match.group(2))
        if len(values["region"]) == 1 and len(values["environment"]) == 1:
            found[name] = (values["region"][0], values["environment"][0])
        else:
            slow.append(name)
    for name, loaded in _load_clients(tree, slow, "head").items():
        found[name] = (loaded.model.region, loaded.model.environment)
    return found


def _platform(tree: git.Tree, label: str) -> Platform:
    text = tree.read(PLATFORM_FILE)
    if text is None:
        raise ConfigError(f"{label}: no {PLATFORM_FILE}", hint="compare revisions that both hold the registry")
    try:
        return platform_from_text(text, tree.root / PLATFORM_FILE, tree.root)[0]
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc.message}", hint=exc.hint, findings=exc.findings) from None


def _select(
    changes: _Changes, base: git.Tree, head: git.Tree, base_label: str, warnings: list[str]
) -> list[AffectedNode]:
    if not (changes.platform or changes.clients or changes.terraform):
        return []
    base_label = f"base {base_label}"
    base_platform = _platform(base, base_label)
    head_platform = _platform(head, "head")
    if changes.platform:  # every client's rendered entry may differ: load them all, once
        head_clients = _load_clients(head, _all_clients(head), "head")
        base_clients = {
            **{n: c for n, c in head_clients.items() if n not in changes.clients},
            **_load_clients(base, changes.clients, base_label),
        }
    else:
        head_clients = _load_clients(head, changes.clients, "head")
        base_clients = _load_clients(base, changes.clients, base_label)
    scope_of = {n: (c.model.region, c.model.environment) for n, c in head_clients.items()}
    if changes.terraform:  # every client of a changed root: only where each one lives is needed
        scope_of = {**_scopes(head, [n for n in _all_clients(head) if n not in scope_of]), **scope_of}
    roots = _roots(head, set(scope_of.values()), follow_modules=bool(changes.terraform))
    by_scope_layer = {(r.region, r.environment, r.layer): r for r in roots.values()}

    reasons: dict[tuple[str, str], list[str]] = {}

    def add(client: str, layer: str, reason: str) -> None:
        found = reasons.setdefault((client, layer), [])
        if reason not in found:
            found.append(reason)

    # 1 and 2: the rendered inputs, as each layer's variable types see them.
    compared = head_clients if changes.platform else {n: head_clients[n] for n in changes.clients if n in head_clients}
    for name, loaded in sorted(compared.items()):
        new = loaded.model
        old_loaded = base_clients.get(name)
        if old_loaded is None:
            for layer in LAYER_NAMES:
                add(name, layer, f"{CLIENTS_DIR}/{name}.yaml added -> new client -> {layer} -> {name}")
            continue
        old = old_loaded.model
        if (old.region, old.environment) != (new.region, new.environment):
            warnings.append(
                f"{name} moves from {old.region}/{old.environment} to {new.region}/{new.environment}: its nodes are "
                "selected in the new place; the old stack is not destroyed by this change (offboard it there first)"
            )
        source = " and ".join(
            f
            for f, changed in (
                (PLATFORM_FILE, changes.platform),
                (client_path(name), name in changes.clients),
            )
            if changed
        )
        _compare_client(name, old, new, base_platform, head_platform, by_scope_layer, source, add)

    # 3: Terraform folders: a layer root itself, or a module one calls.
    for folder, files in sorted(changes.terraform.items()):
        hit = False
        for root in roots.values():
            via = "layer root" if folder == root.folder else root.calls.get(folder)
            if via is None:
                continue
            hit = True
            for name, scope in sorted(scope_of.items()):
                if scope == (root.region, root.environment):
                    add(name, root.layer, f"{files[0]} changed -> {via} -> {root.layer} -> {name}")
        if not hit:
            warnings.append(f"{folder} changed, but no layer root of the registry uses it: nothing to run for it")

    # 4: downstream of every node selected so far.
    for (client, layer), _why in sorted(reasons.items()):
        for dep in downstream(layer):
            add(client, dep, f"{client}/{layer} changes -> {dep} reads its outputs (terraform_remote_state)")

    nodes = [
        AffectedNode(client, layer, "apply", tuple(why))
        for (client, layer), why in sorted(reasons.items(), key=lambda kv: (LAYER_NAMES.index(kv[0][1]), kv[0][0]))
    ]
    removed = sorted(n for n in changes.clients if n in base_clients and n not in head_clients)
    for layer in reversed(LAYER_NAMES):
        for name in removed:
            why = f"{CLIENTS_DIR}/{name}.yaml removed -> {name} leaves the registry -> destroy {layer}"
            nodes.append(AffectedNode(name, layer, "destroy", (why,)))
    return nodes


def _compare_client(
    name: str,
    old: Client,
    new: Client,
    base_platform: Platform,
    head_platform: Platform,
    roots: dict[tuple[str, str, str], _Root],
    source: str,
    add: Any,
) -> None:
    """Select each layer of one client whose rendered entry, settings or backend differ between revisions."""
    old_entry, new_entry = resolve(base_platform, old), resolve(head_platform, new)
    for layer in LAYER_NAMES:
        root = roots.get((new.region, new.environment, layer))
        clients_type = _element(root.clients_type) if root else None
        settings_type = root.settings_type if root else None
        entry_diffs = _diffs(_seen(clients_type, old_entry), _seen(clients_type, new_entry))
        try:
            old_settings = settings(base_platform, old.region, old.environment, layer)
            old_backend = backend_hcl(base_platform, old.region, old.environment, layer)
        except KeyError:  # the old region is not in the new platform.yaml or the other way round
            old_settings, old_backend = {}, ""
        new_settings = settings(head_platform, new.region, new.environment, layer)
        settings_diffs = _diffs(_seen(settings_type, old_settings), _seen(settings_type, new_settings))
        if entry_diffs:
            add(name, layer, f"{source} -> rendered {_described(entry_diffs)} -> {layer} -> {name}")
        if settings_diffs:
            add(name, layer, f"{source} -> rendered settings.{_described(settings_diffs)} -> {layer} -> {name}")
        if old_backend != backend_hcl(head_platform, new.region, new.environment, layer):
            add(name, layer, f"{source} -> rendered {BACKEND_FILE} -> {layer} -> {name}")


def _seen(type_expr: h.Expr | None, value: Any) -> Any:
    """``value`` as the layer receives it: through its variable's type (everything, when it has none)."""
    return value if type_expr is None else convert(type_expr, value)


def _element(type_expr: h.Expr | None) -> h.Expr | None:
    """The type of one client in ``variable "clients"`` (``map(object({...}))``)."""
    if isinstance(type_expr, h.Call) and type_expr.name == "map" and type_expr.args:
        return type_expr.args[0]
    return None
