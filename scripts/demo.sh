#!/usr/bin/env bash
# The main job, end to end, against the embedded AWS sandbox, on a scratch copy of the repository (the
# checkout is never modified): start the sandbox, provision and verify the backend, onboard a new client
# and the sample clients through the six real layers (Terraform with the provider stand-ins), plan and
# drift over every client x layer, change one input, and offboard one client.
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

step "1. Start the embedded AWS sandbox (moto over HTTPS with its own CA)"
run sandbox start
step "2. What the sandbox exports for SDKs, the AWS CLI and Terraform"
run sandbox env
step "3. Provision the backend: state bucket, lock table, four observability buckets (runbook Step 0/3)"
last 6 backend provision --sandbox --yes
step "4. Verify S3 security (runbook: scripts/verify-s3-security.sh)"
last 2 s3 verify --sandbox
step "5. Validate the registry, naming, IPAM and rendered files"
run validate

step "6. Onboard a NEW client, hooli: add (CIDR allocated), render, backend, then all six real layers"
cat <<'NOTE'
   About the providers: this machine cannot download hashicorp/aws, helm, kubernetes or random, so Terraform
   loads clientctl's provider stand-ins (docs/provider-standins.md). They serve the real published schemas,
   so Terraform type-checks, plans and applies the real six layers, with one state per client x layer in
   the sandbox's S3 backend and terraform_remote_state between layers. They fake every API call: no AWS
   resource or Kubernetes object is created, and the checks that look for one (DNS) say so. A networked
   user runs the same commands with the real providers against an account (docs/iac-verification.md).
NOTE
run onboard hooli --sandbox --auto-approve --tier premium --contact-email ops@hooli.example
step "7. Onboard the sample clients (their files exist and validate: the client step only checks them)"
for client in acme-corp globex initech; do
  say onboard "$client" --sandbox --auto-approve
  "$clientctl" onboard "$client" --sandbox --auto-approve 2>&1 | grep -E '^\[|^onboard|^           ' || true
done
step "8. The onboarding state is recorded: a second run reuses every step (no Terraform run)"
say onboard hooli --sandbox --auto-approve
"$clientctl" onboard hooli --sandbox --auto-approve 2>&1 | grep -E '^\[|^onboard|^           ' || true
step "9. The registry now (hooli included) and its monthly cost estimate"
run client list
say cost estimate --all "| grep 'per month'"
"$clientctl" cost estimate --all | grep 'per month'

step "10. plan --all: every client x layer in graph order; everything is applied, so no changes"
say plan --all --sandbox
"$clientctl" plan --all --sandbox 2>"$work/plan-progress.log"
report=$(ls -d .clientctl/runs/*-plan-* | tail -n 1)
echo "run report: $report/report.json"
"$bin/python" - "$report/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"  schema {r['schema']} v{r['schema_version']}, action {r['action']}, exit {r['exit_code']}, counts {r['counts']}")
n = r["nodes"][0]
print(f"  first node: {n['client']}/{n['layer']} {n['status']} steps {[s['step'] for s in n['steps']]} log {n['log']}")
PY
echo "log excerpt ($report/logs/hooli/02-platform.log):"
grep -E '^\$ terraform|No changes|\[exit' "$report/logs/hooli/02-platform.log" | head -n 6
step "11. drift --all: plan -detailed-exitcode sweep (nothing drifted)"
last 7 drift --all --sandbox
step "12. Change one input and apply what it touches: hooli's node group maximum, 10 -> 12 (layer 02-platform; desired_size is left to the cluster-autoscaler)"
run client set hooli eks.max_size=12
last 3 apply hooli --layer 02-platform --sandbox --auto-approve

step "13. Offboard globex: export its observability objects, destroy its layers, delete its data, quarantine its CIDR"
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

step "14. Stop the sandbox"
run sandbox stop
echo
echo "Demo finished in $(( $(date +%s) - started ))s in a scratch copy ($work, removed now); your checkout is unchanged."
