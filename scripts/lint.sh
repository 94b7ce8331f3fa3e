#!/usr/bin/env bash
# Static and dependency gates: govulncheck against an offline
# vulnerability database, staticcheck and gosec, all built and run under the
# Go toolchain CI uses (go1.27.3: go1.26.8's standard library has known
# vulnerabilities that only later releases fix, and govulncheck judges the
# standard library by the Go it was built with, so the tools are rebuilt
# under it).
#
# Tools and the database are installed once into a cache folder and reused
# while their pinned versions match; only the Go module proxy is needed, and
# only on the first run. Every check runs even when an earlier one reports,
# and the script exits non-zero if any of them reports anything.
#
# A gosec finding that is a false positive for this project is not switched
# off here: the code gets a `// #nosec Gxxx -- reason` comment where it is.
# A govulncheck finding with no fixed version can only be accepted, with a
# reason, in scripts/vuln-accepted.txt.
#
# Exit status: 0 nothing found, 1 findings, 2 a tool did not install right.
#
# Environment: LINT_CACHE (default ~/.cache/ordercare-lint) holds the tools
# and the database; LINT_TOOLCHAIN (default go1.27.3) is the Go to use.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOTOOLCHAIN="${LINT_TOOLCHAIN:-go1.27.3}"

# Pinned versions. Change them here, and say why in the commit.
STATICCHECK_MOD=honnef.co/go/tools
STATICCHECK_VERSION=v0.8.2
GOSEC_MOD=github.com/securego/gosec/v2
GOSEC_VERSION=v2.30.0
GOVULNCHECK_MOD=golang.org/x/vuln
GOVULNCHECK_VERSION=v1.9.0
# The vulnerability database is the golang.org/x/vulndb module at this
# version; its timestamp is the date of the data (see the Go vulnerability database, vuln.go.dev).
VULNDB_MOD=golang.org/x/vulndb
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018

cache="${LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ordercare-lint}"
bin="$cache/bin"
mkdir -p "$bin"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# The Go version the toolchain reports, e.g. go1.27.3 (downloads the toolchain
# from the module proxy the first time).
t0="$(now)"
gover="$(go env GOVERSION)"
echo "lint: Go $gover (GOTOOLCHAIN=$GOTOOLCHAIN, ready in $(since "$t0"))"

# built_ok BINARY MODULE VERSION: the binary exists, was built from MODULE at
# VERSION and by the Go in use.
built_ok() {
  local info
  [ -x "$1" ] || return 1
  info="$(go version -m "$1" 2>/dev/null)" || return 1
  [ "$(head -n1 <<<"$info" | awk '{ print $NF }')" = "$gover" ] || return 1
  awk -v m="$2" -v v="$3" '$1 == "mod" && $2 == m && $3 == v { found = 1 } END { exit !found }' <<<"$info"
}

# install NAME PACKAGE MODULE VERSION
install_tool() {
  local name="$1" pkg="$2" mod="$3" ver="$4" t
  if built_ok "$bin/$name" "$mod" "$ver"; then
    echo "lint: $name $ver already installed"
    return
  fi
  t="$(now)"
  GOBIN="$bin" go install "$pkg@$ver"
  built_ok "$bin/$name" "$mod" "$ver" || { echo "lint: $name installed but not as $mod $ver by $gover" >&2; exit 2; }
  echo "lint: installed $name $ver in $(since "$t")"
}

install_tool staticcheck "$STATICCHECK_MOD/cmd/staticcheck" "$STATICCHECK_MOD" "$STATICCHECK_VERSION"
install_tool gosec "$GOSEC_MOD/cmd/gosec" "$GOSEC_MOD" "$GOSEC_VERSION"
install_tool govulncheck "$GOVULNCHECK_MOD/cmd/govulncheck" "$GOVULNCHECK_MOD" "$GOVULNCHECK_VERSION"

# The offline database: the vulndb module's OSV files indexed by its own
# cmd/indexdb into the layout govulncheck reads from a file:// URL. Built
# once per vulndb version; a half-built one is never left in place.
db="$cache/vulndb-$VULNDB_VERSION"
if [ -f "$db/index/db.json" ]; then
  echo "lint: vulnerability database already built ($db)"
else
  t="$(now)"
  # Outside any module, so this checkout's go.mod and go.sum stay untouched.
  (cd "$cache" && GOFLAGS=-mod=mod GOWORK=off go mod download "$VULNDB_MOD@$VULNDB_VERSION")
  src="$(go env GOMODCACHE)/$VULNDB_MOD@$VULNDB_VERSION"
  (cd "$src" && GOWORK=off go build -o "$bin/vulndb-indexdb" ./cmd/indexdb)
  tmp="$(mktemp -d "$cache/vulndb-build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  "$bin/vulndb-indexdb" -vulns "$src/data/osv" -out "$tmp/db"
  rm -rf "$db"
  mv "$tmp/db" "$db"
  echo "lint: built the vulnerability database in $(since "$t")"
fi
# The module's OSV files carry no modification dates (they are set when the
# public database is published), so the data is as new as the module version:
# its pseudo-version timestamp is the commit time of the vulndb repository.
stamp="${VULNDB_VERSION#v0.0.0-}"; stamp="${stamp%%-*}"
echo "lint: vulnerability data: $VULNDB_MOD@$VULNDB_VERSION, dated" \
  "${stamp:0:4}-${stamp:4:2}-${stamp:6:2} ${stamp:8:2}:${stamp:10:2}:${stamp:12:2} UTC"

failed=()

run() {
  local name="$1" t
  shift
  echo "== $name"
  t="$(now)"
  if "$@"; then
    echo "lint: $name: nothing found ($(since "$t"))"
  else
    echo "lint: $name reported findings or failed (exit $?, $(since "$t"))" >&2
    failed+=("$name")
  fi
}

# govulncheck exits 3 when the code calls a vulnerable symbol. Such a finding
# fails the run unless scripts/vuln-accepted.txt names its id with a reason
# (only for a vulnerability that has no fix the project can take and that is
# shown not to apply). Package- and module-level matches (vulnerable code in a
# dependency that the project does not call) are printed by -show verbose so
# upgrades are seen, but do not fail, as govulncheck itself does not fail on them.
vulncheck() {
  local out rc=0 found accepted id unaccepted=()
  out="$(mktemp)"
  "$bin/govulncheck" -db "file://$db" -show verbose ./... >"$out" 2>&1 || rc=$?
  cat "$out"
  if [ "$rc" -eq 3 ]; then
    found="$(awk '/^=== Symbol Results ===/ { on = 1; next } /^=== / { on = 0 }
      on && /^Vulnerability #[0-9]+: / { print $3 }' "$out" | sort -u)"
    accepted="$(sed -e 's/#.*//' scripts/vuln-accepted.txt 2>/dev/null | awk 'NF >= 2 { print $1 }' | sort -u)"
    for id in $found; do
      if grep -qxF "$id" <<<"$accepted"; then
        echo "lint: govulncheck: $id accepted in scripts/vuln-accepted.txt:" \
          "$(sed -n "s/^$id[[:space:]]\{1,\}//p" scripts/vuln-accepted.txt | head -n1)"
      else
        unaccepted+=("$id")
      fi
    done
    rm -f "$out"
    if [ -z "$found" ]; then echo "lint: govulncheck exited 3 but listed no symbol finding" >&2; return 1; fi
    if [ "${#unaccepted[@]}" -gt 0 ]; then
      echo "lint: govulncheck: called vulnerable code: ${unaccepted[*]}" >&2
      return 1
    fi
    return 0
  fi
  rm -f "$out"
  return "$rc"
}
run govulncheck vulncheck
run staticcheck "$bin/staticcheck" ./...
# -exclude-generated skips files marked "Code generated ... DO NOT EDIT",
# which every *_templ.go is. A suppression must name its rule and say why:
# `// #nosec G304 -- the operator's own configured path`.
run gosec "$bin/gosec" -exclude-generated -quiet -color=false \
  -nosec-require-rules -nosec-require-justification ./...

if [ "${#failed[@]}" -gt 0 ]; then
  echo "lint: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "lint: all checks passed"
