#!/usr/bin/env bash
# Runbook-compatible wrapper: same flags, implemented by `clientctl backend provision` (design.md command map).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -x "$here/.venv/bin/clientctl" ]; then clientctl="$here/.venv/bin/clientctl"; else clientctl=clientctl; fi
exec "$clientctl" backend provision "$@"
