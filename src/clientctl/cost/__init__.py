"""Offline cost estimates: a committed, dated price table per region and a per-line monthly estimate
of each client from the resolved registry (docs/cost.md)."""
