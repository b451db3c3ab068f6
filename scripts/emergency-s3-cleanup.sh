#!/usr/bin/env bash
# Runbook-compatible wrapper (same name and flags as the runbook): --bucket B -> clientctl s3 emergency-cleanup
exec "$(dirname "$0")/_clientctl.sh" s3 emergency-cleanup "$@"
