"""The client registry: platform.yaml + clients/<name>.yaml, the single source of truth."""

from clientctl.registry.loader import LoadedClient, Registry, find_root, load_registry

__all__ = ["LoadedClient", "Registry", "find_root", "load_registry"]
