#!/usr/bin/env bash
# Soak test (not run in CI): the back office with its built-in
# sandbox (scripts/soakserver) under a steady 20 requests/s for 10 minutes,
# sampling every 10 s the server's goroutines, open files (/proc/PID/fd)
# and resident memory. At the end it prints the achieved rate and the
# growth from the 60 s sample to the end, and fails when any grows beyond
# the bound — goroutines +50, open files +20, RSS +64 MiB (override with
# SOAK_MAX_GOROUTINES, SOAK_MAX_FDS, SOAK_MAX_RSS_KB) — or when any answer
# is not 200/303.
#
# Usage: scripts/soak.sh [SECONDS=600] [RATE=20]
# Traffic per second (RATE 20): 2 order changes (each a form GET + POST:
# merchant references, audited and sent to the sandbox), 8 order pages (a
# provider read each), 3 searches, 2 start pages, 3 /healthz. One signed-in
# agent; each request has a 10 s timeout. Linux only (/proc).
#
# The driver is `go run ./cmd/loadtest soak` (open loop in Go: each request
# starts on schedule in its own goroutine); this script passes its
# arguments on. `go run ./cmd/loadtest soak -h` lists every flag.
set -euo pipefail

dur=${1:-600}
rate=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
args=(-seconds "$dur" -rate "$rate"
	-max-goroutines "${SOAK_MAX_GOROUTINES:-50}" -max-fds "${SOAK_MAX_FDS:-20}" -max-rss-kb "${SOAK_MAX_RSS_KB:-65536}")
[ -z "${SOAK_PORT:-}" ] || args+=(-addr "127.0.0.1:$SOAK_PORT")
[ -z "${SOAK_DEBUG_PORT:-}" ] || args+=(-debug-addr "127.0.0.1:$SOAK_DEBUG_PORT")
cd "$root"
exec go run ./cmd/loadtest soak "${args[@]}"
