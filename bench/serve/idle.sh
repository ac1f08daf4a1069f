#!/usr/bin/env bash
# Measures an idle "landingd serve": resident memory and CPU time used
# between cycles. It builds landingd, writes a demo folder with ROWS rows
# per district file, puts the demo's files back into the landing zones
# with a fresh state, and starts serve on a loopback port: serve catches up
# with one full cycle at start, and then idles until the next scheduled
# cycle (in January, April, July or October). Once the cycle is done, it
# samples /proc for SECONDS seconds.
#
#   bench/serve/idle.sh [SECONDS [ROWS]]      (defaults 30 and 2000)
#   LANDINGD_BIN=path/to/landingd bench/serve/idle.sh
#
# Prints VmRSS (KiB) at start and end, and the CPU time (utime+stime, in
# clock ticks and seconds) spent over the window. The target is under
# 30 MB RSS and no CPU between cycles.
set -euo pipefail

secs=${1:-30}
rows=${2:-2000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		wait "$pid" || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# LANDINGD_BIN names a binary to measure instead of building one.
if [[ -n "${LANDINGD_BIN:-}" ]]; then
	cp "$LANDINGD_BIN" "$work/landingd"
else
	(cd "$root" && go build -o "$work/landingd" ./cmd/landingd)
fi
"$work/landingd" demo --dir "$work/demo" --rows "$rows" >/dev/null 2>"$work/demo.log"
sed -i 's/listen: 127.0.0.1:8080/listen: 127.0.0.1:0/' "$work/demo/protocol.yaml"
# Undo the demo's cycle: files back to the top, no state, no outputs.
rm -rf "$work/demo/state" "$work/demo/out"
for zone in "$work"/demo/landing/*; do
	for f in "$zone"/processed/* "$zone"/rejected/*; do
		[[ -e "$f" && "$f" != *.report.txt ]] && mv "$f" "$zone/"
	done
	rm -rf "$zone/processed" "$zone/rejected"
done

"$work/landingd" serve --config "$work/demo/protocol.yaml" 2>"$work/serve.log" &
pid=$!

for _ in $(seq 100); do
	grep -q '"msg":"serving"' "$work/serve.log" 2>/dev/null && break
	sleep 0.1
done
addr=$(grep -o '"msg":"serving","addr":"[^"]*"' "$work/serve.log" | sed 's/.*"addr":"//; s/"$//')
if [[ -z "$addr" ]]; then
	echo "serve did not start:" >&2
	cat "$work/serve.log" >&2
	exit 1
fi
for _ in $(seq 600); do
	grep -q '"msg":"next cycle planned"' "$work/serve.log" && break
	sleep 0.1
done
grep -o '"msg":"cycle finished"[^}]*' "$work/serve.log" || { echo "no cycle ran:" >&2; cat "$work/serve.log" >&2; exit 1; }
# serve hands memory back as it goes idle, right after planning.
sleep 2

tick=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
rss0=$(rss)
cpu0=$(cpu)
sleep "$secs"
rss1=$(rss)
cpu1=$(cpu)

# One scrape of each endpoint, to see that serving costs little too; the
# service hands the memory back 10 s after its last request.
curl -fsS "http://$addr/metrics" >/dev/null
curl -fsS "http://$addr/" >/dev/null
rss2=$(rss)
sleep 12
rss3=$(rss)

ticks=$((cpu1 - cpu0))
echo "landingd serve after a catch-up cycle of 15 files ($rows rows per district), then idle for ${secs}s"
echo "VmRSS at start:         ${rss0} KiB"
echo "VmRSS after ${secs}s:      ${rss1} KiB"
echo "VmRSS after a scrape:   ${rss2} KiB"
echo "VmRSS 12s after it:     ${rss3} KiB"
echo "VmHWM (peak, in the cycle): ${peak} KiB"
# Resident memory splits into anonymous pages (heap, the database's cache)
# and file pages (the binary's code and read-only data that serving
# touched).
echo "RssAnon / RssFile:      $(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status") / $(awk '/^RssFile:/ {print $2}' "/proc/$pid/status") KiB"
echo "CPU over the window:    ${ticks} ticks ($(awk -v t="$ticks" -v h="$tick" 'BEGIN {printf "%.2f", t / h}') s)"
