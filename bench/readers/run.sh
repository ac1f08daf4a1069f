#!/usr/bin/env bash
# Compares the table package's readers with the bare library loops (and
# xlsx2csv when installed) on large synthetic files: wall time, rows/s and
# peak RSS from /usr/bin/time -v.
#
#   bench/readers/run.sh                 1,000,000-row CSV, 200,000-row xlsx, 3 runs each
#   CSV_ROWS=100000 XLSX_ROWS=20000 RUNS=1 bench/readers/run.sh    a quick look
#
# BENCH_DIR keeps the generated files between runs (default: a new
# directory under /tmp, removed at the end unless KEEP=1).
# Targets: CSV peak RSS < 100 MB and at least half the bare encoding/csv
# speed; xlsx peak RSS < 200 MB and within 1.2x the bare excelize time.
set -euo pipefail

cd "$(dirname "$0")/../.."
CSV_ROWS=${CSV_ROWS:-1000000}
XLSX_ROWS=${XLSX_ROWS:-200000}
RUNS=${RUNS:-3}
TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
	echo "run.sh: $TIME is missing (apt-get install time)" >&2
	exit 1
fi
if [[ -n ${BENCH_DIR:-} ]]; then
	WORK=$BENCH_DIR
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d /tmp/landingd-bench-readers-XXXXXX)
	if [[ ${KEEP:-0} != 1 ]]; then
		trap 'rm -rf "$WORK"' EXIT
	fi
fi

go build -o "$WORK/readers" ./bench/readers
BIN=$WORK/readers
CSV=$WORK/cases_${CSV_ROWS}.csv
XLSX=$WORK/cases_${XLSX_ROWS}.xlsx
INLINE=$WORK/cases_${XLSX_ROWS}_inline.xlsx
[[ -s $CSV ]] || "$BIN" gen-csv "$CSV" "$CSV_ROWS"
[[ -s $XLSX ]] || "$BIN" gen-xlsx "$XLSX" "$XLSX_ROWS"
[[ -s $INLINE ]] || "$BIN" gen-xlsx-inline "$INLINE" "$XLSX_ROWS"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(go version | cut -d' ' -f3)"
echo "csv:  $CSV_ROWS rows x 30 columns, $(du -m "$CSV" | cut -f1) MB"
echo "xlsx: $XLSX_ROWS rows x 30 columns, $(du -m "$XLSX" | cut -f1) MB zip, shared strings and date cells"
echo "inline xlsx: the same rows from excelize's StreamWriter, $(du -m "$INLINE" | cut -f1) MB zip, inline strings"
echo "runs: $RUNS rounds, interleaved (median times, largest peak RSS); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# once NAME ROWS CMD...: runs CMD once under /usr/bin/time -v and appends
# "NAME ROWS wall_seconds cpu_seconds max_rss_kb output" to $WORK/raw.
once() {
	local name=$1 rows=$2
	shift 2
	local out
	out=$("$TIME" -v -o "$WORK/time.txt" "$@")
	awk -F': ' -v name="$name" -v rows="$rows" -v out="${out:-none}" '
		/Elapsed \(wall clock\)/ {n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i]}
		/User time \(seconds\)/ {cpu += $2}
		/System time \(seconds\)/ {cpu += $2}
		/Maximum resident set size/ {rss = $2}
		END {print name, rows, wall, cpu, rss, out}' "$WORK/time.txt" >>"$WORK/raw"
	tail -1 "$WORK/raw" | awk '{printf "  %-12s %7.2f s wall %7.2f s cpu %7.1f MB  %s\n", $1, $3, $4, $5 / 1024, $6}' >&2
}

# Runs are interleaved (one of each reader per round) so that a change in
# machine load falls on every reader alike.
rm -f "$WORK/raw"
for ((r = 1; r <= RUNS; r++)); do
	echo "round $r of $RUNS" >&2
	once csv-table "$CSV_ROWS" "$BIN" csv table "$CSV"
	once csv-bare "$CSV_ROWS" "$BIN" csv bare "$CSV"
	once xlsx-table "$XLSX_ROWS" "$BIN" xlsx table "$XLSX"
	once xlsx-bare "$XLSX_ROWS" "$BIN" xlsx bare "$XLSX"
	once inline-table "$XLSX_ROWS" "$BIN" xlsx table "$INLINE"
	if command -v xlsx2csv >/dev/null; then
		once xlsx2csv "$XLSX_ROWS" xlsx2csv "$XLSX" "$WORK/xlsx2csv.csv"
		once inline-xlsx2csv "$XLSX_ROWS" xlsx2csv "$INLINE" "$WORK/xlsx2csv.csv"
	elif ((r == 1)); then
		echo "  xlsx2csv not installed: skipped" >&2
	fi
done

# Median wall and CPU time per reader, largest peak RSS.
awk '
{ k = $1; n[k]++; rows[k] = $2; w[k, n[k]] = $3; c[k, n[k]] = $4; if ($5 > rss[k]) rss[k] = $5; out[k] = $6
  if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
function median(a, k, cnt,    i, j, t, v) {
	for (i = 1; i <= cnt; i++) v[i] = a[k, i]
	for (i = 2; i <= cnt; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return v[int((cnt + 1) / 2)]
}
END { for (i = 1; i <= m; i++) { k = order[i]; print k, rows[k], median(w, k, n[k]), median(c, k, n[k]), rss[k], out[k] } }
' "$WORK/raw" >"$WORK/results"

echo
awk '
{ name[NR]=$1; rows[NR]=$2; sec[NR]=$3; cpu[NR]=$4; rss[NR]=$5; idx[$1]=NR }
END {
	printf "| reader | rows | wall s | rows/s | CPU s | peak RSS MB | wall vs bare | CPU vs bare |\n"
	printf "|---|---:|---:|---:|---:|---:|---:|---:|\n"
	for (i = 1; i <= NR; i++) {
		base = (name[i] ~ /^csv/) ? "csv-bare" : (name[i] ~ /^inline/) ? "" : "xlsx-bare"
		ratio = (idx[base] && sec[idx[base]] > 0) ? sprintf("%.2fx", sec[i] / sec[idx[base]]) : "-"
		cratio = (idx[base] && cpu[idx[base]] > 0) ? sprintf("%.2fx", cpu[i] / cpu[idx[base]]) : "-"
		rate = (sec[i] > 0) ? sprintf("%.0f", rows[i] / sec[i]) : "-"
		printf "| %s | %d | %.2f | %s | %.2f | %.1f | %s | %s |\n", name[i], rows[i], sec[i], rate, cpu[i], rss[i] / 1024, ratio, cratio
	}
	c = idx["csv-table"]; cb = idx["csv-bare"]; x = idx["xlsx-table"]; xb = idx["xlsx-bare"]
	printf "\ntargets:\n"
	printf "  csv peak RSS %.1f MB < 100 MB: %s\n", rss[c] / 1024, (rss[c] / 1024 < 100) ? "met" : "MISSED"
	printf "  csv speed %.2f of bare encoding/csv >= 0.5 (CPU: %.2f): %s\n", sec[cb] / sec[c], cpu[cb] / cpu[c], (sec[cb] / sec[c] >= 0.5) ? "met" : "MISSED"
	printf "  xlsx peak RSS %.1f MB < 200 MB: %s\n", rss[x] / 1024, (rss[x] / 1024 < 200) ? "met" : "MISSED"
	printf "  xlsx time %.2fx bare excelize <= 1.2x (CPU: %.2fx): %s\n", sec[x] / sec[xb], cpu[x] / cpu[xb], (sec[x] / sec[xb] <= 1.2) ? "met" : "MISSED"
	xc = idx["xlsx2csv"]; i = idx["inline-table"]; ic = idx["inline-xlsx2csv"]
	if (xc) printf "  xlsx CPU %.2fx xlsx2csv <= 0.5x: %s\n", cpu[x] / cpu[xc], (cpu[x] / cpu[xc] <= 0.5) ? "met" : "MISSED"
	if (ic) printf "  inline xlsx CPU %.2fx xlsx2csv <= 0.5x: %s\n", cpu[i] / cpu[ic], (cpu[i] / cpu[ic] <= 0.5) ? "met" : "MISSED"
}' "$WORK/results"
