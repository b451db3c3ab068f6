"""Lay out the stand-ins as a Terraform filesystem mirror, plus a CLI configuration that uses only it.

Layout (Terraform's "unpacked" mirror layout, https://developer.hashicorp.com/terraform/cli/config/config-file
section ``provider_installation``)::

    DEST/terraform.rc
    DEST/cache/<provider>-<version>.{schema,metadata}.<key>.pb       serialized responses (warmed here)
    DEST/mirror/registry.terraform.io/hashicorp/<name>/<version>/<os>_<arch>/terraform-provider-<name>_v<version>

The executable is a ``/bin/sh`` script running ``python -m clientctl.terraform.standin`` with the given
interpreter. Every file is written to a temporary name and renamed, and only when its content changes, so
running :func:`install` twice (or from two processes) leaves identical bytes and the ``h1:`` hashes that
``terraform init`` records stay the same. ``~/.terraformrc`` is never read or written: pass
:meth:`StandinConfig.env` to Terraform.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from clientctl.terraform.standin.schema import SCHEMA_DIR, ProviderSchema

PROVIDERS = ("aws", "helm", "kubernetes", "random")
MOCK_ENV = "CLIENTCTL_STANDIN_MOCK"
#: Written into the CLI configuration: how clientctl recognises a Terraform set up for the stand-ins.
STANDIN_MARKER = "clientctl.terraform.standin.install"
#: Every marker a stand-in CLI configuration may carry: configurations written before the stand-ins moved from
#: ``clientctl.iac.standin`` to ``clientctl.terraform.standin`` name the old module and must still be recognised.
STANDIN_MARKERS = (STANDIN_MARKER, "clientctl.iac.standin.install")


def terraform_platform() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


@dataclass(frozen=True)
class StandinConfig:
    """Where the stand-ins live and how to point Terraform at them."""

    dest: Path
    cli_config_file: Path
    mirror_dir: Path
    cache_dir: Path
    versions: dict[str, str] = field(default_factory=dict)
    executables: dict[str, Path] = field(default_factory=dict)

    def env(self, *, mock: bool = False) -> dict[str, str]:
        """Variables to add to Terraform's environment. ``mock=True`` lets the aws stand-in configure with no
        endpoint at all (for ``validate``/``test`` runs that call no AWS API)."""
        out = {"TF_CLI_CONFIG_FILE": str(self.cli_config_file), "TF_IN_AUTOMATION": "1"}
        if mock:
            out[MOCK_ENV] = "1"
        return out


def _write_if_changed(path: Path, text: str, mode: int = 0o644) -> None:
    data = text.encode()
    if path.is_file() and path.read_bytes() == data and (path.stat().st_mode & 0o777) == mode:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _hcl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def install(
    dest: Path,
    python: str | None = None,
    providers: tuple[str, ...] = PROVIDERS,
    schema_dir: Path = SCHEMA_DIR,
    warm_cache: bool = True,
) -> StandinConfig:
    """Install the stand-ins for ``providers`` under ``dest`` and return how to use them."""
    dest = dest.resolve()
    python = python or sys.executable
    mirror = dest / "mirror"
    cache = dest / "cache"
    src_root = Path(__file__).resolve().parents[3]  # the directory holding the clientctl package
    versions: dict[str, str] = {}
    executables: dict[str, Path] = {}
    for name in providers:
        matches = sorted(schema_dir.glob(f"{name}-*.json.gz"))
        if len(matches) != 1:
            raise FileNotFoundError(f"expected one {name}-<version>.json.gz in {schema_dir}, found {len(matches)}")
        schema = ProviderSchema(matches[0], cache)
        versions[name] = schema.version
        exe = (
            mirror
            / "registry.terraform.io"
            / "hashicorp"
            / name
            / schema.version
            / terraform_platform()
            / f"terraform-provider-{name}_v{schema.version}"
        )
        script = (
            "#!/bin/sh\n"
            "# clientctl provider stand-in: NOT the real provider; for offline verification only.\n"
            f"PYTHONPATH={shlex.quote(str(src_root))}${{PYTHONPATH:+:$PYTHONPATH}}\n"
            "export PYTHONPATH\n"
            f"exec {shlex.quote(python)} -m clientctl.terraform.standin --provider {name}"
            f' --schema {shlex.quote(str(matches[0].resolve()))} --cache-dir {shlex.quote(str(cache))} "$@"\n'
        )
        _write_if_changed(exe, script, 0o755)
        executables[name] = exe
        if warm_cache:
            schema.warm_cache()
    rc = dest / "terraform.rc"
    _write_if_changed(
        rc,
        "# Written by clientctl.terraform.standin.install: provider stand-ins only, never the registry.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {_hcl_string(str(mirror))}\n"
        '    include = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "}\n",
    )
    return StandinConfig(dest, rc, mirror, cache, versions, executables)
