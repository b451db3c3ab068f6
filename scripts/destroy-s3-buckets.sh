#!/usr/bin/env bash
# Runbook-compatible wrapper (same name and flags as the runbook): [--region] [--environment] [--type T] [--bucket B] [--dry-run] [--force] [--backup] -> clientctl s3 destroy
exec "$(dirname "$0")/_clientctl.sh" s3 destroy "$@"
