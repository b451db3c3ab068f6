"""``terraform validate`` of every layer root and every module, with the provider stand-ins.

Terraform itself checks what our own offline checker could only approximate: references to undeclared
resources, argument types, indexing into sets, blocks vs attributes, ``for_each`` shapes, module inputs and
outputs, ``.tftest.hcl`` files. Providers cannot be downloaded here, so Terraform loads the stand-ins
(``clientctl.terraform.standin``), which serve the committed provider schemas (docs/provider-standins.md).

``terraform init`` records the stand-ins' hashes in ``.terraform.lock.hcl`` in the folder it runs in, and a
lock file with those hashes must never be committed. So validation runs on a **copy** of ``modules/`` and
``providers/`` under ``<repo>/.clientctl/iac/tree/`` (git-ignored; relative module sources stay valid),
refreshed file by file on every run, which also keeps each copy's ``.terraform/`` warm between runs (the
copy is made by terraform/workcopy.py, which sandbox runs share). Diagnostics are mapped back to the
repository's own file and line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from clientctl.errors import Finding, Level
from clientctl.paths import TERRAFORM_TOPS
from clientctl.terraform import workcopy
from clientctl.terraform.standin import StandinConfig

_INIT_MARK: Final = "clientctl-init.sha256"
_INIT_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class Target:
    """A folder Terraform validates, relative to the repository root."""

    path: Path
    kind: str  # "layer" or "module"


def targets(root: Path, tops: Sequence[str] = TERRAFORM_TOPS) -> list[Target]:
    """Every folder holding ``.tf`` files under ``tops`` of ``root``: each layer root
    (``providers/**/layers/<layer>/<env>``) and each module (``modules/<name>``, nested ones included).
    Folders inside a ``tests`` folder are fixtures of ``terraform test``, validated with their module."""
    found: list[Target] = []
    for top in tops:
        base = root / top
        if not base.is_dir():
            continue
        folders = sorted({f.parent for f in workcopy.copied_files(base) if f.suffix == ".tf"})
        for folder in folders:
            rel_path = folder.relative_to(root)
            if "tests" in rel_path.parts:
                continue
            found.append(Target(rel_path, "layer" if "layers" in rel_path.parts else "module"))
    return found


def validate(
    root: Path,
    terraform: Path,
    *,
    tops: Sequence[str] = TERRAFORM_TOPS,
    selected: Sequence[Target] | None = None,
    workers: int = 2,
    timeout: float = 600,
) -> list[Finding]:
    """Run ``terraform init -backend=false`` and ``terraform validate -json`` on every target, in parallel.

    Each Terraform error or warning becomes a Finding at the repository file and line it names.
    """
    terraform = terraform.resolve()
    tree, standins, digest = workcopy.prepare(root, tops)
    env = _environment(root, standins, mock=False)
    chosen = list(selected) if selected is not None else targets(root, tops)

    def one(target: Target) -> list[Finding]:
        return _validate_one(tree, target, terraform, env, digest, timeout)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(one, chosen))
    # A module's problem shows up once for the module and once per layer calling it: report it once.
    unique: dict[tuple[str | None, int | None, str], Finding] = {}
    for finding in (f for found in results for f in found):
        summary = finding.message.split(": ", 1)[0]
        unique.setdefault((finding.file, finding.line, summary), finding)
    return list(unique.values())


def _environment(root: Path, standins: StandinConfig, *, mock: bool) -> dict[str, str]:
    """Terraform's environment for validate/test: the stand-ins' CLI config, and none of
    the caller's logging, data folder, workspace or endpoint (``mock``: the aws stand-in configures without
    an endpoint, for files that use it instead of ``mock_provider``)."""
    # No plugin cache: with one, an init re-installing the stand-in into the cache removed the package another
    # folder's validate was reading ("could not read package directory"); each folder's .terraform gets its
    # own copy from the mirror instead (a stand-in package is one small script).
    env = {**os.environ, **standins.env(mock=mock)}
    for key in ("TF_LOG", "TF_DATA_DIR", "TF_WORKSPACE", "AWS_ENDPOINT_URL", "TF_PLUGIN_CACHE_DIR"):
        env.pop(key, None)
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _init(
    tree: Path, target: Target, terraform: Path, env: dict[str, str], digest: str, timeout: float
) -> Finding | None:
    """``terraform init -backend=false`` in the copy of ``target``; None when it worked (or was not needed)."""
    folder = tree / target.path
    mark = folder / ".terraform" / _INIT_MARK
    # Warm runs skip init when nothing in the copied tree changed since the last successful one.
    if mark.is_file() and mark.read_text() == digest:
        return None
    # One init at a time: a clean-clone CI run failed when two folders installed hashicorp/aws into a shared
    # plugin cache at once ("Failed to install provider"); there is no shared cache now, and init is the
    # short part; validate and test, which dominate, still run in parallel.
    # A lock file with other stand-ins' hashes was already deleted (workcopy.forget_other_standins).
    with _INIT_LOCK:
        init = _run([str(terraform), "init", "-backend=false", "-input=false", "-no-color"], folder, env, timeout)
    if init.returncode != 0:
        where = _TEST_ERROR.search(init.stderr + init.stdout)
        if where is not None:  # a configuration error init found (it reads test files too)
            return Finding(
                rule="iac.validate.init",
                message=f"terraform init: {where['summary']}",
                file=os.path.normpath(f"{target.path}/{where['file']}"),
                line=int(where["line"]),
            )
        return Finding(
            rule="iac.validate.init",
            message=f"terraform init failed in {target.path}: {_first_error(init.stderr or init.stdout)}",
            file=str(target.path),
            hint="run `terraform init -backend=false` in a copy of that folder to see the full output",
        )
    mark.parent.mkdir(exist_ok=True)  # a module without providers gets no .terraform of its own
    mark.write_text(digest)
    return None


def _validate_one(
    tree: Path, target: Target, terraform: Path, env: dict[str, str], digest: str, timeout: float
) -> list[Finding]:
    folder = tree / target.path
    shown = str(target.path)
    try:
        failed = _init(tree, target, terraform, env, digest, timeout)
        if failed is not None:
            return [failed]
        proc = _run([str(terraform), "validate", "-json", "-no-color"], folder, env, timeout)
    except subprocess.TimeoutExpired:
        return [Finding(rule="iac.validate.timeout", message=f"terraform timed out in {shown}", file=shown)]
    except OSError as exc:
        return [Finding(rule="iac.validate.failed", message=f"cannot run {terraform}: {exc}", file=shown)]
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        return [
            Finding(
                rule="iac.validate.failed",
                message=f"terraform validate gave no JSON in {shown} (exit {proc.returncode}): "
                f"{_first_error(proc.stderr)}",
                file=shown,
            )
        ]
    return [_finding(tree, target, d) for d in report.get("diagnostics", [])]


# --------------------------------------------------------------------------- terraform test


def run_tests(
    root: Path, terraform: Path, *, tops: Sequence[str] = TERRAFORM_TOPS, workers: int = 2, timeout: float = 900
) -> list[Finding]:
    """``terraform test`` in every target that has a ``tests/`` folder of ``.tftest.hcl`` files.

    Mock providers (``mock_provider``) take their schemas from the stand-ins; where a file cannot mock
    (Terraform 1.15 mocks no ephemeral resource) it uses the stand-ins themselves, which
    ``CLIENTCTL_STANDIN_MOCK=1`` lets configure without an endpoint. A layer root's tests run in the
    workspace of its first rendered client (layers manage ``var.clients[terraform.workspace]``).
    """
    terraform = terraform.resolve()
    tree, standins, digest = workcopy.prepare(root, tops)
    env = _environment(root, standins, mock=True)
    chosen = [t for t in targets(root, tops) if any((root / t.path / "tests").glob("*.tftest.hcl"))]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda t: _test_one(tree, t, terraform, env, digest, timeout), chosen))
    return [f for found in results for f in found]


def test_workspace(folder: Path) -> str | None:
    """The first client of a layer root's rendered inputs (None for a module)."""
    tfvars = folder / "clients.auto.tfvars.json"
    if not tfvars.is_file():
        return None
    clients = sorted(json.loads(tfvars.read_text(encoding="utf-8")).get("clients", {}))
    return clients[0] if clients else None


_TEST_ERROR = re.compile(
    r"^Error: (?P<summary>.+?)\n(?:.*\n){0,2}?\s*on (?P<file>\S+) line (?P<line>\d+)", re.MULTILINE
)


def _test_one(
    tree: Path, target: Target, terraform: Path, env: dict[str, str], digest: str, timeout: float
) -> list[Finding]:
    folder = tree / target.path
    shown = str(target.path)
    run_env = dict(env)
    workspace = test_workspace(folder)
    if workspace is not None:
        run_env["TF_WORKSPACE"] = workspace
    try:
        failed = _init(tree, target, terraform, env, digest, timeout)
        if failed is not None:
            return [failed]
        proc = _run([str(terraform), "test", "-no-color"], folder, run_env, timeout)
    except subprocess.TimeoutExpired:
        return [Finding(rule="iac.test.timeout", message=f"terraform test timed out in {shown}", file=shown)]
    if proc.returncode == 0:
        return []
    output = proc.stdout + proc.stderr
    found = [
        Finding(
            rule="iac.test",
            message=f"terraform test: {m['summary']}",
            file=os.path.normpath(f"{shown}/{m['file']}"),
            line=int(m["line"]),
            hint=f"cd into a copy of {shown} and run `terraform test` (see docs/iac-verification.md)",
        )
        for m in _TEST_ERROR.finditer(output)
    ]
    failed_runs = re.findall(r'run "([^"]+)"\.\.\. fail', output)
    if failed_runs or not found:
        summary = next((ln for ln in output.splitlines() if ln.startswith("Failure!")), f"exit {proc.returncode}")
        found.append(
            Finding(
                rule="iac.test",
                message=f"terraform test failed in {shown}: {summary}"
                + (f" (failed runs: {', '.join(failed_runs)})" if failed_runs else ""),
                file=shown,
            )
        )
    return found


def _finding(tree: Path, target: Target, diag: dict[str, Any]) -> Finding:
    rng = diag.get("range") or {}
    filename = rng.get("filename")
    file = str(target.path)
    if filename:
        # Terraform names files relative to the folder it ran in ("../../modules/x/main.tf" included).
        absolute = Path(os.path.normpath(tree / target.path / filename))
        try:
            file = str(absolute.relative_to(tree))
        except ValueError:
            file = filename
    summary = str(diag.get("summary", "")).strip()
    detail = " ".join(str(diag.get("detail", "")).split())
    level: Level = "warning" if diag.get("severity") == "warning" else "error"
    return Finding(
        rule="iac.validate",
        level=level,
        message=f"{summary}: {detail}" if detail else summary,
        file=file,
        line=(rng.get("start") or {}).get("line"),
        field=f"terraform validate ({target.kind} {target.path})",
        hint=None,
    )


def _first_error(text: str) -> str:
    for line in text.splitlines():
        line = line.strip("│╷╵ ").strip()
        if line.startswith("Error:"):
            return line
    lines = [ln.strip("│╷╵ ").strip() for ln in text.splitlines() if ln.strip("│╷╵ ").strip()]
    return lines[0] if lines else "no output"


def clean(root: Path) -> None:
    """Remove the validation copy (its ``.terraform`` folders hold stand-in lock data)."""
    shutil.rmtree(workcopy.work_dir(root) / "tree", ignore_errors=True)
