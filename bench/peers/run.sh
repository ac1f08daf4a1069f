#!/usr/bin/env bash
# `landingd validate` beside its peers on the same synthetic district
# files (see ../shared research notes on fair commands): the floor (a
# tight Go program doing the same work, bench/floor), Miller and csvgrep
# (which only filter on the reason for loss of home), and the Frictionless
# Table Schema validator for JavaScript (which casts and checks every row
# against the same field list) on a CSV of ROWS rows; xlsx2csv beside
# validate on an xlsx of XLSX_ROWS rows (shared strings, date cells).
# Each tool runs RUNS times, interleaved so that a change in the shared
# machine's load falls on all alike; the table gives median wall and CPU
# seconds and the largest peak RSS (/usr/bin/time).
#
#   bench/peers/run.sh                                  1,000,000-row CSV, 200,000-row xlsx, 5 runs
#   ROWS=100000 XLSX_ROWS=20000 RUNS=3 bench/peers/run.sh   a quick look
#   TS_ROWS=200000 bench/peers/run.sh                   the JS validator on a shorter CSV (it is slow)
#
# Peers are skipped when missing: apt-get install miller csvkit xlsx2csv;
# npm install tableschema@1 in PEERS_NODE (default: a folder under the
# work directory, installed on first use when npm is present).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
TS_ROWS=${TS_ROWS:-$ROWS}
XLSX_ROWS=${XLSX_ROWS:-200000}
RUNS=${RUNS:-5}
SCHEMA=deploy/protocols/da-needs-assessment/hclic-da.schema.json
WORK=${BENCH_DIR:-$(mktemp -d /tmp/landingd-bench-peers-XXXXXX)}
mkdir -p "$WORK"
[[ -n ${BENCH_DIR:-} || ${KEEP:-0} == 1 ]] || trap 'rm -rf "$WORK"' EXIT

go build -o "$WORK/landingd" ./cmd/landingd
go build -o "$WORK/floor" ./bench/floor
CSV=$WORK/cases_$ROWS.csv
TSCSV=$WORK/cases_$TS_ROWS.csv
XLSX=$WORK/cases_$XLSX_ROWS.xlsx
[[ -s $CSV ]] || "$WORK/floor" gen "$CSV" "$ROWS"
[[ -s $TSCSV ]] || "$WORK/floor" gen "$TSCSV" "$TS_ROWS"
[[ -s $XLSX ]] || "$WORK/floor" gen-xlsx "$XLSX" "$XLSX_ROWS"
PEERS_NODE=${PEERS_NODE:-$WORK/node}
if [[ ! -d $PEERS_NODE/node_modules/tableschema ]] && command -v npm >/dev/null; then
	mkdir -p "$PEERS_NODE"
	(cd "$PEERS_NODE" && npm init -y >/dev/null && npm install --silent tableschema@1 >/dev/null) || true
fi

keep='^(da_victim|da_alleged_perpetrator|da_retired)$'
declare -a names cmds rows
add() { names+=("$1"); rows+=("$2"); cmds+=("$3"); }
add floor "$ROWS" "'$WORK/floor' judge $SCHEMA '$CSV' E07000066"
add landingd-validate "$ROWS" "'$WORK/landingd' validate --partner basildon '$CSV'"
command -v mlr >/dev/null && add miller-filter "$ROWS" \
	"mlr --icsv --ocsv --infer-none filter '\$reasonloss =~ \"$keep\"' '$CSV'"
command -v csvgrep >/dev/null && add csvgrep "$ROWS" "csvgrep -c reasonloss -r '$keep' '$CSV'"
[[ -d $PEERS_NODE/node_modules/tableschema ]] && add tableschema-js "$TS_ROWS" \
	"NODE_PATH='$PEERS_NODE/node_modules' node bench/peers/tableschema.js $SCHEMA '$TSCSV'"
add landingd-validate-xlsx "$XLSX_ROWS" "'$WORK/landingd' validate --partner basildon '$XLSX'"
command -v xlsx2csv >/dev/null && add xlsx2csv "$XLSX_ROWS" "xlsx2csv '$XLSX'"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(go version | cut -d' ' -f3); load now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "csv: $ROWS rows, $(du -m "$CSV" | cut -f1) MB; xlsx: $XLSX_ROWS rows, $(du -m "$XLSX" | cut -f1) MB"
rm -f "$WORK/raw"
for ((r = 1; r <= RUNS; r++)); do
	for i in "${!names[@]}"; do
		/usr/bin/time -f "%e %U %S %M" -o "$WORK/t" sh -c "${cmds[$i]} >/dev/null" || true
		echo "${names[$i]} ${rows[$i]} $(cat "$WORK/t" | tail -1)" >>"$WORK/raw"
		tail -1 "$WORK/raw" >&2
	done
done
echo
echo "| tool | rows | wall s (median) | CPU s (median) | rows/s by CPU | peak RSS MB | CPU vs floor |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk '
{ k = $1; n[k]++; rows[k] = $2; w[k, n[k]] = $3; c[k, n[k]] = $4 + $5; if ($6 > rss[k]) rss[k] = $6
  if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
function median(a, k, cnt,    i, j, t, v) {
	for (i = 1; i <= cnt; i++) v[i] = a[k, i]
	for (i = 2; i <= cnt; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return v[int((cnt + 1) / 2)]
}
END {
	fc = median(c, "floor", n["floor"]) / rows["floor"]
	for (i = 1; i <= m; i++) { k = order[i]; cw = median(w, k, n[k]); cc = median(c, k, n[k])
		printf "| %s | %d | %.2f | %.2f | %.0f | %.0f | %.2fx |\n", k, rows[k], cw, cc, rows[k] / cc, rss[k] / 1024, (cc / rows[k]) / fc }
}' "$WORK/raw"
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg). CPU vs floor compares CPU per row."
