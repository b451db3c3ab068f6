#!/usr/bin/env bash
# Runbook-compatible wrapper (same name and flags as the runbook): --region R --environment E --project-name P [--dry-run] [--backend-only] [--observability-only] [--force] -> clientctl backend provision
exec "$(dirname "$0")/_clientctl.sh" backend provision "$@"
