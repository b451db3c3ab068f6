"""``python -m clientctl.terraform.standin --provider aws``: run a provider stand-in (Terraform starts it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clientctl.terraform.standin",
        description="Terraform provider plugin stand-in serving a committed provider schema (verification only).",
    )
    parser.add_argument("--provider", required=True, help="provider name: aws, helm, kubernetes, random")
    parser.add_argument("--schema", type=Path, help="schema file (default: the committed one for --provider)")
    parser.add_argument("--cache-dir", type=Path, help="where serialized schema responses are cached")
    args = parser.parse_args(argv)

    import os

    from clientctl.terraform.standin.server import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, NOT_A_PLUGIN_MESSAGE

    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print(NOT_A_PLUGIN_MESSAGE, file=sys.stderr)
        return 1

    from clientctl.terraform.standin.provider import StandinProvider
    from clientctl.terraform.standin.schema import ProviderSchema, schema_file
    from clientctl.terraform.standin.server import serve

    try:
        path = args.schema or schema_file(args.provider)
    except FileNotFoundError as exc:
        print(f"clientctl stand-in: {exc}", file=sys.stderr)
        return 2
    return serve(StandinProvider(ProviderSchema(path, args.cache_dir)))


if __name__ == "__main__":
    sys.exit(main())
