#!/usr/bin/env bash
# Runbook-compatible wrapper (same name and flags as the runbook): ./scripts/validate-cidr.sh -> clientctl cidr validate
exec "$(dirname "$0")/_clientctl.sh" cidr validate "$@"
