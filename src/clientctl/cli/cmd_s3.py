"""``clientctl s3 verify|destroy|emergency-cleanup``."""

from __future__ import annotations

import click


@click.group("s3")
def command() -> None:
    """Audit, destroy and rescue the platform's S3 buckets."""
