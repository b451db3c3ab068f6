#!/usr/bin/env bash
# The main job, end to end, against the embedded AWS sandbox, on a scratch copy of the repository (the
# checkout is never modified): start the sandbox, provision and verify the backend, onboard a new client
# and the sample clients (they run until Terraform needs a provider, then say what remains), then show the
# orchestrator with the provider-free test layers: apply --all, drift, and offboard one client.
# Run by `./dev demo` after `./dev setup`; exits 0; the sandbox is stopped on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/.venv/bin"
clientctl="$bin/clientctl"
work=$(mktemp -d "${TMPDIR:-/tmp}/clientctl-demo.XXXXXX")
started=$(date +%s)

cleanup() {
  (cd "$work" 2>/dev/null && "$clientctl" sandbox stop >/dev/null 2>&1) || true
  rm -rf "$work"
}
trap cleanup EXIT

cp -r "$here/platform.yaml" "$here/clients" "$here/cidr-registry.yaml" "$here/providers" "$here/modules" "$work/"
cd "$work"
# Terraform: the binary ./dev setup installed, no user CLI config, nothing inherited from the caller's AWS.
export CLIENTCTL_TERRAFORM="$bin/terraform" TF_CLI_CONFIG_FILE=/dev/null
unset AWS_ENDPOINT_URL AWS_CA_BUNDLE AWS_PROFILE TF_PLUGIN_CACHE_DIR TF_WORKSPACE || true

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '\033[2m$ clientctl %s\033[0m\n' "$*"; }
run() { say "$@"; "$clientctl" "$@"; }
# Run and keep only the last N lines of its output (stdout and stderr): `last N ARGS...`.
last() { local n=$1; shift; say "$@"; "$clientctl" "$@" 2>&1 | tail -n "$n"; }
# A command expected to stop with exit 1 (blocked/failed step) prints that and the demo goes on.
expect_stop() {
  local rc=0
  run "$@" || rc=$?
  if [ "$rc" -ne 1 ]; then echo "unexpected exit code $rc" >&2; exit 1; fi
  printf '\033[2m(exit 1: stopped as documented; see above for what remains)\033[0m\n'
}

step "1. Start the embedded AWS sandbox (moto over HTTPS with its own CA)"
run sandbox start
step "2. What the sandbox exports for SDKs, the AWS CLI and Terraform"
run sandbox env
step "3. Provision the backend: state bucket, lock table, four observability buckets (runbook Step 0/3)"
last 6 backend provision --sandbox --force
step "4. Verify S3 security (runbook: scripts/verify-s3-security.sh)"
last 2 s3 verify --sandbox
step "5. Validate the registry, naming, IPAM and rendered files"
run validate

step "6. Onboard a NEW client, hooli: add (CIDR allocated), render, backend, then the layers"
echo "   The real layers need the hashicorp/aws provider from registry.terraform.io, which this machine cannot"
echo "   reach: the layers step stops as 'blocked' and says exactly what remains and how to finish it."
expect_stop onboard hooli --sandbox --auto-approve --tier premium --contact-email ops@hooli.example
step "7. Onboard the sample clients (their files exist and validate: the client step only checks them)"
for client in acme-corp globex initech; do
  expect_stop onboard "$client" --sandbox --auto-approve 2>&1 | grep -E '^\[|^onboard|^\$|^\(exit' || true
done
step "8. The onboarding state is recorded: a second run continues where the first stopped"
expect_stop onboard hooli --sandbox --auto-approve 2>&1 | grep -E '^\[|^onboard|^\$|^\(exit' || true
step "9. The registry now (hooli included) and its monthly cost estimate"
run client list
say cost estimate --all "| grep 'per month'"
"$clientctl" cost estimate --all | grep 'per month'

step "10. The orchestrator without providers: swap in the test fixture layers (scratch copy only)"
for dir in providers/aws/regions/*/layers/*/*/; do
  layer=$(basename "$(dirname "$dir")")
  rm -f "$dir"*.tf
  cp "$here/tests/orchestrator/fixtures/layer.tf" "$dir/main.tf"
done
run render --check
step "11. apply --all: every client x layer in graph order, through the sandbox's HTTPS S3 backend"
say apply --all --sandbox --auto-approve
"$clientctl" apply --all --sandbox --auto-approve 2>"$work/apply-progress.log"
echo "($(wc -l <"$work/apply-progress.log") progress lines on stderr, one per node change; a live grid in a terminal)"
report=$(ls -d .clientctl/runs/*-apply-* | tail -n 1)
echo "run report: $report/report.json"
"$bin/python" - "$report/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"  schema {r['schema']} v{r['schema_version']}, action {r['action']}, exit {r['exit_code']}, counts {r['counts']}")
n = r["nodes"][0]
print(f"  first node: {n['client']}/{n['layer']} {n['status']} steps {[s['step'] for s in n['steps']]} log {n['log']}")
EOF
echo "log excerpt ($report/logs/hooli/01-foundation.log):"
grep -E '^\$ terraform|Apply complete|\[exit' "$report/logs/hooli/01-foundation.log" | head -n 8
step "12. drift --all: plan -detailed-exitcode sweep (nothing drifted)"
last 7 drift --all --sandbox
step "13. onboard hooli again: the layers step now completes and the checks run"
"$bin/python" - <<'EOF'
# what layer 05 would create: the parent zone, hooli's zone and the NS delegation
import json, boto3
s = json.load(open(".clientctl/sandbox.json"))
r53 = boto3.client("route53", endpoint_url=s["endpoint"], verify=s["ca_bundle"], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
parent = r53.create_hosted_zone(Name="ezra.world", CallerReference="parent")["HostedZone"]["Id"]
servers = r53.create_hosted_zone(Name="hooli.ezra.world", CallerReference="hooli")["DelegationSet"]["NameServers"]
r53.change_resource_record_sets(HostedZoneId=parent, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
    "Name": "hooli.ezra.world.", "Type": "NS", "TTL": 300, "ResourceRecords": [{"Value": v} for v in servers]}}]})
print("created Route53 zones ezra.world and hooli.ezra.world with the NS delegation (what layer 05 does)")
EOF
say onboard hooli --sandbox --auto-approve
"$clientctl" onboard hooli --sandbox --auto-approve 2>/dev/null

step "14. Offboard globex: export its observability objects, destroy its layers, delete its data, quarantine its CIDR"
"$bin/python" - <<'EOF'
# a few objects under globex's and acme-corp's prefixes, as Fluent Bit/Loki would write them
import json, boto3
s = json.load(open(".clientctl/sandbox.json"))
s3 = boto3.client("s3", endpoint_url=s["endpoint"], verify=s["ca_bundle"], region_name="us-east-2",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
for kind in ("logs", "traces", "metrics", "audit-logs"):
    for client in ("globex", "acme-corp"):
        s3.put_object(Bucket=f"ohio-01-us-east-2-{kind}-production", Key=f"{kind}/client={client}/2026/11/27/part-0.json", Body=b"{}")
print("wrote 8 observability objects (globex and acme-corp)")
EOF
say offboard globex --sandbox --dry-run
"$clientctl" offboard globex --sandbox --dry-run | grep -E '^\[|^--dry-run'
say offboard globex --sandbox --confirm globex --export "$work/export-globex"
"$clientctl" offboard globex --sandbox --confirm globex --export "$work/export-globex" 2>&1 | grep -vE '^globex |pass [0-9]+:'
echo "exported: $(find "$work/export-globex" -type f | wc -l) file(s)"
run client list
echo "cidr-registry.yaml, released:"
sed -n '/^released:/,$p' cidr-registry.yaml

step "15. Stop the sandbox"
run sandbox stop
echo
echo "Demo finished in $(( $(date +%s) - started ))s in a scratch copy ($work, removed now); your checkout is unchanged."
