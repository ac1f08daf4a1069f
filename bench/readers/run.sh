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
[[ -s $CSV ]] || "$BIN" gen-csv "$CSV" "$CSV_ROWS"
[[ -s $XLSX ]] || "$BIN" gen-xlsx "$XLSX" "$XLSX_ROWS"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(go version | cut -d' ' -f3)"
echo "csv:  $CSV_ROWS rows x 30 columns, $(du -m "$CSV" | cut -f1) MB"
echo "xlsx: $XLSX_ROWS rows x 30 columns, $(du -m "$XLSX" | cut -f1) MB zip, shared strings and date cells"
echo "runs: $RUNS each (median time, largest peak RSS)"
echo

# measure NAME ROWS CMD...: runs CMD $RUNS times under /usr/bin/time -v
# and appends "NAME ROWS median_seconds max_rss_kb output" to $WORK/results.
measure() {
	local name=$1 rows=$2
	shift 2
	local times=() rss=0 out=""
	for ((i = 0; i < RUNS; i++)); do
		out=$("$TIME" -v -o "$WORK/time.txt" "$@")
		local s k
		s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); t=0; for(i=1;i<=n;i++) t=t*60+p[i]; print t}' "$WORK/time.txt")
		k=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
		times+=("$s")
		((k > rss)) && rss=$k
	done
	local median
	median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$name $rows $median $rss ${out:-none}" >>"$WORK/results"
	printf '  %-22s %s s (runs: %s)\n' "$name" "$median" "${times[*]}" >&2
}

rm -f "$WORK/results"
measure csv-table "$CSV_ROWS" "$BIN" csv table "$CSV"
measure csv-bare "$CSV_ROWS" "$BIN" csv bare "$CSV"
measure xlsx-table "$XLSX_ROWS" "$BIN" xlsx table "$XLSX"
measure xlsx-bare "$XLSX_ROWS" "$BIN" xlsx bare "$XLSX"
if command -v xlsx2csv >/dev/null; then
	measure xlsx2csv "$XLSX_ROWS" xlsx2csv "$XLSX" "$WORK/xlsx2csv.csv"
else
	echo "  xlsx2csv not installed: skipped" >&2
fi

# The readers must agree on what they read.
for kind in csv xlsx; do
	a=$(awk -v k="$kind-table" '$1 == k {print $5}' "$WORK/results")
	b=$(awk -v k="$kind-bare" '$1 == k {print $5}' "$WORK/results")
	if [[ $a != "$b" ]]; then
		echo "run.sh: $kind readers disagree: table $a, bare $b" >&2
		exit 1
	fi
done

echo
awk '
{ name[NR]=$1; rows[NR]=$2; sec[NR]=$3; rss[NR]=$4; idx[$1]=NR }
END {
	printf "| reader | rows | seconds | rows/s | peak RSS MB | time vs bare |\n"
	printf "|---|---:|---:|---:|---:|---:|\n"
	for (i = 1; i <= NR; i++) {
		base = (name[i] ~ /^csv/) ? "csv-bare" : "xlsx-bare"
		ratio = (idx[base] && sec[idx[base]] > 0) ? sprintf("%.2fx", sec[i] / sec[idx[base]]) : "-"
		rate = (sec[i] > 0) ? sprintf("%.0f", rows[i] / sec[i]) : "-"
		printf "| %s | %d | %.2f | %s | %.1f | %s |\n", name[i], rows[i], sec[i], rate, rss[i] / 1024, ratio
	}
	c = idx["csv-table"]; cb = idx["csv-bare"]; x = idx["xlsx-table"]; xb = idx["xlsx-bare"]
	printf "\ntargets:\n"
	printf "  csv peak RSS %.1f MB < 100 MB: %s\n", rss[c] / 1024, (rss[c] / 1024 < 100) ? "met" : "MISSED"
	printf "  csv speed %.2f of bare encoding/csv >= 0.5: %s\n", sec[cb] / sec[c], (sec[cb] / sec[c] >= 0.5) ? "met" : "MISSED"
	printf "  xlsx peak RSS %.1f MB < 200 MB: %s\n", rss[x] / 1024, (rss[x] / 1024 < 200) ? "met" : "MISSED"
	printf "  xlsx time %.2fx bare excelize <= 1.2x: %s\n", sec[x] / sec[xb], (sec[x] / sec[xb] <= 1.2) ? "met" : "MISSED"
}' "$WORK/results"
