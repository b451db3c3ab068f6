"""Helpers shared by tests (importable as ``tests.helpers``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


Runner = Callable[..., Result]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: to prove a failed command changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".clientctl" not in p.parts
    }


def copy_registry(src: Path, root: Path) -> Path:
    """Copy the registry of ``src`` (platform.yaml, clients/, the ledger, every rendered input) into ``root``."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(src / "platform.yaml", root / "platform.yaml")
    shutil.copytree(src / "clients", root / "clients")
    if (src / "cidr-registry.yaml").exists():
        shutil.copy(src / "cidr-registry.yaml", root / "cidr-registry.yaml")
    for path in (src / "providers").rglob("*"):
        if path.name in ("clients.auto.tfvars.json", "backend.hcl"):
            target = root / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    return root
