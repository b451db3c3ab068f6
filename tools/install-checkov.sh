#!/usr/bin/env bash
# Install checkov into its own virtualenv and link PREFIX/bin/checkov to it (idempotent).
#
# usage: tools/install-checkov.sh [PREFIX]      (default: .venv in the repository root)
#
# Why not simply `pip install checkov` into the project's venv: checkov depends on bc-python-hcl2,
# which installs a package also called `hcl2` and silently replaces python-hcl2 8.x (the parser
# clientctl.iac uses) with Bridgecrew's 0.4 fork, whose output shape differs (values wrapped in
# lists). So checkov lives in PREFIX/lib/clientctl-checkov/ and clientctl runs it as a subprocess
# (`clientctl iac check` finds PREFIX/bin/checkov next to its own interpreter).
#
# Environment: PYTHON (default python3, >= 3.9) creates the virtualenv.
set -euo pipefail

CHECKOV_VERSION="3.3.30"

die() { echo "install-checkov: error: $*" >&2; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$root/.venv}"
case "$prefix" in -h|--help) sed -n '2,13p' "$0"; exit 0 ;; esac
mkdir -p "$prefix/bin" "$prefix/lib" || die "cannot create $prefix/bin"
prefix="$(cd "$prefix" && pwd)"
venv="$prefix/lib/clientctl-checkov"
link="$prefix/bin/checkov"

installed_version() {
  [ -x "$venv/bin/python" ] || return 1
  "$venv/bin/python" -c 'from importlib.metadata import version; print(version("checkov"))' 2>/dev/null
}

if [ "$(installed_version || true)" != "$CHECKOV_VERSION" ]; then
  command -v "${PYTHON:-python3}" >/dev/null || die "${PYTHON:-python3} not found (set PYTHON)"
  echo "install-checkov: installing checkov==$CHECKOV_VERSION into $venv"
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv" || die "cannot create a virtualenv at $venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip 2> >(grep -v '^WARNING: Location' >&2) || true
  "$venv/bin/python" -m pip install --quiet "checkov==$CHECKOV_VERSION" 2> >(grep -v '^WARNING: Location' >&2) \
    || die "pip install checkov==$CHECKOV_VERSION failed (is PyPI reachable?)"
fi
ln -sfn "$venv/bin/checkov" "$link"
"$link" --version >/dev/null 2>&1 || die "$link --version failed"
echo "install-checkov: checkov $CHECKOV_VERSION at $link"
