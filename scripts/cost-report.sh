#!/usr/bin/env bash
# Runbook-compatible wrapper (same name and flags as the runbook): --client C --month YYYY-MM -> clientctl cost report
exec "$(dirname "$0")/_clientctl.sh" cost report "$@"
