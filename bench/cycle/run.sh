#!/usr/bin/env bash
# End-to-end cycle benchmark: one quarter from the 12 districts, ROWS rows
# each (default 50,000; mixed CSV and xlsx), taken by `landingd run` over
# local zones. Reports wall time, rows/s and peak RSS (/usr/bin/time -v),
# and the time to the last file stored and to the quarter published.
#
#   bench/cycle/run.sh            ROWS=50000
#   ROWS=5000 bench/cycle/run.sh  a quick look
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-50000}
WORK=$(mktemp -d /tmp/landingd-bench-cycle-XXXXXX)
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$WORK"' EXIT

go build -o "$WORK/landingd" ./cmd/landingd
go run ./bench/cycle "$WORK/data" "$ROWS"
# The generator leaves 200 MB or so of dirty pages: write them out first,
# or the cycle's fsyncs wait behind them.
sync
total=$((ROWS * 12))
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(go version | cut -d' ' -f3)"
echo "input:   12 districts x $ROWS rows = $total rows, $(du -sm "$WORK/data/landing" | cut -f1) MB"
ls "$WORK"/data/landing/*/ | grep -c xlsx | xargs -I{} echo "         {} xlsx files, the rest CSV"

/usr/bin/time -v -o "$WORK/time.txt" "$WORK/landingd" run --config "$WORK/data/protocol.yaml" >"$WORK/out.txt" 2>"$WORK/log.jsonl"
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); t=0; for(i=1;i<=n;i++) t=t*60+p[i]; print t}' "$WORK/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$WORK/time.txt")
printf '\n%-28s %10s\n' "wall time (s)" "$secs"
printf '%-28s %10.0f\n' "rows/s" "$(echo "$total / $secs" | bc -l)"
printf '%-28s %10d\n' "peak RSS (MB)" "$((rss / 1024))"
printf '%-28s %10s\n' "CPU" "$cpu"
# Judging (parse, validate, pseudonymise) runs per file; its share of the
# cycle comes from the log's timestamps of each file's start and verdict.
grep -c '"msg":"file judged"' "$WORK/log.jsonl" | xargs printf '%-28s %10s\n' "files judged"
# The two phases, from the log's timestamps: judging and storing every
# file (to the last file disposed), then publishing the quarter.
python3 - "$WORK/log.jsonl" <<'PY'
import json, sys
from datetime import datetime
at = {}
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    t = datetime.fromisoformat(d["time"].replace("Z", "+00:00"))
    at.setdefault(d["msg"], []).append(t)
start, stored, published = at["cycle started"][0], at["file disposed"][-1], at["quarter published"][-1]
print("%-28s %10.2f" % ("judging and storing (s)", (stored - start).total_seconds()))
print("%-28s %10.2f" % ("publishing (s)", (published - stored).total_seconds()))
PY
