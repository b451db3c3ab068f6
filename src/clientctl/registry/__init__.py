"""The client registry: platform.yaml + clients/<name>.yaml, the single source of truth.

This package reads (``loader``), resolves (``resolve``) and writes (``journal``, ``edit``) the files; the
rules that judge them are in :mod:`clientctl.rules`.
"""

from clientctl.registry.loader import LoadedClient, Registry, find_root, read_registry

__all__ = ["LoadedClient", "Registry", "find_root", "read_registry"]
