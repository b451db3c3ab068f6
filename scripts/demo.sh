#!/usr/bin/env bash
# The main job, end to end, on a scratch copy of the repository (the checkout is never modified):
# validate the registry, onboard a new client (CIDR allocation + render), and show what it produced.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
clientctl="$here/.venv/bin/clientctl"
work=$(mktemp -d "${TMPDIR:-/tmp}/clientctl-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$here/platform.yaml" "$here/clients" "$here/cidr-registry.yaml" "$here/providers" "$work/"
cd "$work"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Registry: the sample clients"
"$clientctl" client list
step "Validate everything (registry, naming, IPAM, render drift)"
"$clientctl" validate
step "CIDR report (runbook: scripts/validate-cidr.sh)"
"$clientctl" cidr validate
step "Onboard a fourth client: allocate a CIDR, write clients/hooli.yaml, render every layer"
"$clientctl" client add hooli --tier premium --contact-email ops@hooli.example --set compute.analytics_enabled=true
"$clientctl" cidr plan hooli
step "Nothing drifted after the add"
"$clientctl" render --check
echo
echo "Demo finished in a scratch copy ($work); your checkout is unchanged."
