#!/usr/bin/env bash
# Shared by the runbook-compatible wrappers: run the repository's clientctl (./dev setup installs it in .venv),
# or the one on PATH, against this repository.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$here/.venv/bin/clientctl"
[ -x "$bin" ] || bin="$(command -v clientctl)" || { echo "clientctl not found: run ./dev setup" >&2; exit 2; }
exec "$bin" --root "$here" "$@"
