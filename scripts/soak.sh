#!/usr/bin/env bash
# Soak test (issue 7; not run in CI): the back office with its built-in
# sandbox under a steady 20 requests/s for 10 minutes, sampling every 10 s
# the server's goroutines, open files (/proc/PID/fd) and resident memory.
# At the end it prints the growth from the first sample after warm-up
# and fails when any grows beyond the bound:
#   goroutines +50, open files +20, RSS +64 MiB (override with SOAK_MAX_*).
#
# Usage: scripts/soak.sh [SECONDS=600] [RATE=20]
# Traffic per second (RATE 20): 2 order changes (each a form GET + POST:
# merchant references, audited and sent to the sandbox), 8 order pages (a
# provider read each), 3 searches, 2 start pages, 3 /healthz. One signed-in
# agent; each request has a 10 s timeout. Linux only (/proc).
set -euo pipefail

dur=${1:-600}
rate=${2:-20}
max_g=${SOAK_MAX_GOROUTINES:-50}
max_fd=${SOAK_MAX_FDS:-20}
max_rss=${SOAK_MAX_RSS_KB:-65536}
port=${SOAK_PORT:-18480}
dport=${SOAK_DEBUG_PORT:-18481}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && go build -o "$work/soakserver" ./scripts/soakserver)
base="http://127.0.0.1:$port"
ORDERCARE_DB="$work/data/admin.db" ORDERCARE_ADDR="127.0.0.1:$port" \
	ORDERCARE_DEMO_PASSWORD="soak-demo-password-1" SOAK_DEBUG_ADDR="127.0.0.1:$dport" \
	"$work/soakserver" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
	curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
	sleep 0.1
done
curl -fsS -o /dev/null "$base/healthz" || { echo "soak: server did not start"; cat "$work/server.log"; exit 1; }

jar="$work/cookies"
hidden() { # name of a hidden input -> its value, from HTML on stdin
	grep -o "<input[^>]*name=\"$1\"[^>]*>" | head -1 | sed -n 's/.*value="\([^"]*\)".*/\1/p'
}
tok=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | hidden _csrf)
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "email=agent@example.com" \
	--data-urlencode "password=soak-demo-password-1" --data-urlencode "_csrf=$tok" "$base/login")
[ "$code" = 303 ] || { echo "soak: sign-in answered $code"; exit 1; }
mapfile -t ids < <(curl -fsS -b "$jar" "$base/orders?status=AUTHORIZED" | grep -o 'data-order-id="[^"]*"' | cut -d'"' -f2 | sort -u)
[ "${#ids[@]}" -gt 0 ] || { echo "soak: no authorized orders found"; exit 1; }

statuses="$work/statuses"
: >"$statuses"
req() { # method path [curl args...]: one request, its status appended
	local m=$1 p=$2
	shift 2
	curl -sS -o /dev/null -m 10 -w '%{http_code}\n' -b "$jar" -X "$m" "$@" "$base$p" >>"$statuses" 2>/dev/null || echo 000 >>"$statuses"
}
change() { # a merchant references change through the real form
	local id=$1 html
	html=$(curl -sS -m 10 -b "$jar" "$base/orders/$id/references" || true)
	echo 200 >>"$statuses"
	req POST "/orders/$id/references" \
		--data-urlencode "_csrf=$(hidden _csrf <<<"$html")" \
		--data-urlencode "idempotency_key=$(hidden idempotency_key <<<"$html")" \
		--data-urlencode "expected=$(hidden expected <<<"$html")" \
		--data-urlencode "shown_merchant_reference1=$(hidden shown_merchant_reference1 <<<"$html")" \
		--data-urlencode "shown_merchant_reference2=$(hidden shown_merchant_reference2 <<<"$html")" \
		--data-urlencode "merchant_reference1=soak-$RANDOM$RANDOM" \
		--data-urlencode "merchant_reference2=$(hidden shown_merchant_reference2 <<<"$html")" \
		--data-urlencode "reason=data_correction"
}
one() { # the i-th request of a second
	local i=$1 id=${ids[$((RANDOM % ${#ids[@]}))]}
	case $((i % 10)) in
	0) change "$id" ;;
	1 | 2 | 3 | 4) req GET "/orders/$id" ;;
	5) req GET "/orders?q=a" ;;
	6) req GET "/orders?status=AUTHORIZED" ;;
	7) req GET "/" ;;
	*) req GET "/healthz" ;;
	esac
}

samples="$work/samples"
sample() {
	local g fd rss
	g=$(curl -fsS -m 5 "http://127.0.0.1:$dport/goroutines" || echo -1)
	fd=$(ls "/proc/$pid/fd" | wc -l)
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	printf '%5ds  goroutines %5s  open files %4s  RSS %7s KiB\n' "$1" "$g" "$fd" "$rss" | tee -a "$samples"
}

echo "soak: $dur s at $rate requests/s against pid $pid (${#ids[@]} orders)"
# Open loop on a fixed schedule: request k starts at t0 + k/rate and is not
# waited for (each ends within its 10 s timeout), so a slow answer does not
# lower the rate. Times in microseconds from $EPOCHREALTIME (no forks).
t0=${EPOCHREALTIME/./}
t0=$((10#$t0))
step=$((1000000 / rate))
next_sample=0
k=0
slot=0
while :; do
	due=$((t0 + k * step))
	((due < t0 + dur * 1000000)) || break
	now=${EPOCHREALTIME/./}
	now=$((10#$now))
	if ((due > now)); then
		w=$((due - now))
		sleep "$((w / 1000000)).$(printf '%06d' $((w % 1000000)))"
	fi
	if ((k * step >= next_sample * 1000000)); then
		# Labelled with wall-clock seconds: on a loaded machine the loop
		# can fall behind its schedule, and the figures must say so.
		sample "$(((now - t0) / 1000000))"
		next_sample=$((next_sample + 10))
	fi
	i=$((slot % rate))
	one "$i" &
	# A change is two requests (form, then submit): it takes two slots.
	if ((i % 10 == 0)); then k=$((k + 2)); slot=$((slot + 2)); else k=$((k + 1)); slot=$((slot + 1)); fi
done
start=$((t0 / 1000000))
behind=$(((${EPOCHREALTIME/./} - t0) / 1000 - dur * 1000))
echo "soak: the last request started $behind ms after the schedule's end (machine load)"
sleep 11 # the last requests end within their timeout
elapsed=$(($(date +%s) - start))
sample "$elapsed"

total=$(wc -l <"$statuses")
echo "soak: $total requests in $elapsed s ($((total * 1000 / (dur * 1000 + behind))) requests/s achieved while sending); answers by status:"
sort "$statuses" | uniq -c | sed 's/^/  /'
# Growth: from the sample after warm-up (60 s) to the last one.
read -r g0 f0 r0 < <(awk 'NR==7 {print $3, $6, $8}' "$samples")
read -r g1 f1 r1 < <(tail -1 "$samples" | awk '{print $3, $6, $8}')
dg=$((g1 - g0)) df=$((f1 - f0)) dr=$((r1 - r0))
echo "soak: growth after warm-up: goroutines $dg (bound $max_g), open files $df (bound $max_fd), RSS ${dr} KiB (bound $max_rss KiB)"
fail=0
[ "$dg" -le "$max_g" ] || { echo "soak: FAIL goroutines grew by $dg"; fail=1; }
[ "$df" -le "$max_fd" ] || { echo "soak: FAIL open files grew by $df"; fail=1; }
[ "$dr" -le "$max_rss" ] || { echo "soak: FAIL RSS grew by $dr KiB"; fail=1; }
bad=$(grep -cvE '^(200|303)$' "$statuses" || true)
[ "$bad" -eq 0 ] || { echo "soak: FAIL $bad answers other than 200/303"; fail=1; }
exit "$fail"
