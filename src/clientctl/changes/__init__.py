"""Change detection: which (client, layer) pairs a git change touches (``clientctl affected``)."""

from clientctl.changes.affected import AffectedNode, AffectedResult, affected

__all__ = ["AffectedNode", "AffectedResult", "affected"]
