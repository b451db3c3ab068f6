#!/usr/bin/env bash
# Runbook-compatible wrapper (same name and flags as the runbook): ./scripts/validate-all.sh -> clientctl validate
exec "$(dirname "$0")/_clientctl.sh" validate "$@"
