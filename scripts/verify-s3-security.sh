#!/usr/bin/env bash
# Runbook-compatible wrapper (same name and flags as the runbook): -> clientctl s3 verify
exec "$(dirname "$0")/_clientctl.sh" s3 verify "$@"
