#!/usr/bin/env bash
# Runbook-compatible wrapper: ./scripts/validate-all.sh [clientctl validate options]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$here/.venv/bin/clientctl"
[ -x "$bin" ] || bin="$(command -v clientctl)" || { echo "clientctl not found: run ./dev setup" >&2; exit 2; }
exec "$bin" --root "$here" validate "$@"
