#!/usr/bin/env bash
# Transfer benchmark: one quarter from the 12 districts, ROWS rows each
# (default 50,000; mixed CSV and xlsx), taken by `landingd run` from
# (a) local folders, (b) SFTP zones on a throwaway OpenSSH sshd and
# (c) Azure Blob zones on a throwaway Azurite, all on 127.0.0.1. Reports
# wall time, CPU and peak RSS of landingd (/usr/bin/time -v) for each,
# and how much the transfer adds to the local run. Target: under 25%.
#
# The servers run on the same machine and compete with landingd for its
# cores, so their CPU shows up in landingd's wall time, as it would not
# with a real remote server. Rounds interleave the three kinds so that a
# change in the machine's load falls on all of them alike.
#
#   bench/transfer/run.sh                      ROWS=50000 RUNS=1
#   ROWS=5000 bench/transfer/run.sh            a quick look
#   RUNS=3 bench/transfer/run.sh               three interleaved rounds
#   WARMUP=0 bench/transfer/run.sh             no untimed local run first
#
# Needs /usr/sbin/sshd and ssh-keygen (apt: openssh-server), /usr/bin/time
# (apt: time), and Azurite (npm ci --prefix deploy/testenv, or set
# LANDINGD_AZURITE to an azurite-blob program).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-50000}
RUNS=${RUNS:-1}
AZURITE=${LANDINGD_AZURITE:-deploy/testenv/node_modules/.bin/azurite-blob}
for need in /usr/sbin/sshd ssh-keygen /usr/bin/time "$AZURITE"; do
	command -v "$need" >/dev/null || { echo "transfer: $need not found" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/landingd-bench-transfer-XXXXXX)
chmod 755 "$WORK"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[[ ${KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

go build -o "$WORK/landingd" ./cmd/landingd
go build -o "$WORK/transfer" ./bench/transfer

wait_port() { # wait_port PORT NAME
	for _ in $(seq 1 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "transfer: $2 did not listen on port $1" >&2
	exit 1
}

# sshd: host and client keys, a config with internal-sftp, key logins for
# the current user.
S="$WORK/sshd"
mkdir -p "$S" "$WORK/sftp-root" /run/sshd 2>/dev/null || mkdir -p "$S" "$WORK/sftp-root"
ssh-keygen -q -t ed25519 -N '' -C bench -f "$S/host"
ssh-keygen -q -t ed25519 -N '' -C bench -f "$S/client"
cp "$S/client.pub" "$S/authorized_keys"
SSH_PORT=$("$WORK/transfer" port)
cat >"$S/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $S/host
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
UsePAM no
StrictModes no
MaxStartups 100
Subsystem sftp internal-sftp
EOF
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$S/host.pub")" >"$S/known_hosts"
/usr/sbin/sshd -D -E "$S/sshd.log" -f "$S/sshd_config" &
pids+=($!)
wait_port "$SSH_PORT" sshd

# Azurite, blob service only, data on disk.
AZ_PORT=$("$WORK/transfer" port)
mkdir -p "$WORK/azurite"
"$AZURITE" --blobHost 127.0.0.1 --blobPort "$AZ_PORT" --location "$WORK/azurite" \
	--skipApiVersionCheck --loose --silent --disableTelemetry &
pids+=($!)
wait_port "$AZ_PORT" Azurite
AZ_URL="http://127.0.0.1:$AZ_PORT/devstoreaccount1"
export LANDINGD_BENCH_AZURE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=$AZ_URL;"

"$WORK/transfer" drop "$WORK" "$ROWS"
total=$((ROWS * 12))
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(go version | cut -d' ' -f3); $(ssh -V 2>&1 | cut -d, -f1); Azurite $(grep -m1 '"version"' "$(dirname "$AZURITE")/../azurite/package.json" 2>/dev/null | tr -dc '0-9.')"
echo "input:   12 districts x $ROWS rows = $total rows, $(du -sm "$WORK/drop" | cut -f1) MB, $(find "$WORK/drop" -name '*.xlsx' | wc -l) xlsx files, the rest CSV"

# seconds FILE: wall seconds from a /usr/bin/time -v report.
seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); t=0; for(i=1;i<=n;i++) t=t*60+p[i]; print t}' "$1"; }
field() { awk -F': ' -v k="$2" '$1 ~ k {print $2}' "$1"; }

# One untimed local run first, so that no timed run pays for a cold
# start (page cache, first exec of the binary).
if [[ ${WARMUP:-1} == 1 ]]; then
	LANDINGD_BENCH_AZURE= "$WORK/transfer" round "$WORK" 0
	"$WORK/landingd" run --config "$WORK/round-0/local/protocol.yaml" >/dev/null 2>&1
fi

declare -A sum
for kind in local sftp azure; do sum[$kind]=0; done
printf '\n%-6s %-6s %10s %10s %10s %8s  %s\n' round kind "wall (s)" "rows/s" "RSS (MB)" CPU "load (1m)"
for n in $(seq 1 "$RUNS"); do
	"$WORK/transfer" round "$WORK" "$n" -sftp-addr "127.0.0.1:$SSH_PORT" -sftp-user "$(id -un)" \
		-sftp-key "$S/client" -known-hosts "$S/known_hosts" -sftp-root "$WORK/sftp-root" -az-url "$AZ_URL"
	for kind in local sftp azure; do
		d="$WORK/round-$n/$kind"
		load=$(cut -d' ' -f1 /proc/loadavg)
		code=0
		/usr/bin/time -v -o "$d/time.txt" "$WORK/landingd" run --config "$d/protocol.yaml" >"$d/out.txt" 2>"$d/log.jsonl" || code=$?
		if [[ $code != 0 ]]; then
			echo "transfer: $kind run $n exited $code" >&2
			cat "$d/out.txt" >&2
			exit 1
		fi
		judged=$(grep -c '"msg":"file judged"' "$d/log.jsonl" || true)
		[[ $judged == 12 ]] || { echo "transfer: $kind run $n judged $judged files, want 12" >&2; exit 1; }
		secs=$(seconds "$d/time.txt")
		rss=$(field "$d/time.txt" "Maximum resident set size")
		cpu=$(field "$d/time.txt" "Percent of CPU")
		sum[$kind]=$(echo "${sum[$kind]} + $secs" | bc -l)
		printf '%-6s %-6s %10.2f %10.0f %10d %8s  %s\n' "$n" "$kind" "$secs" "$(echo "$total / $secs" | bc -l)" $((rss / 1024)) "$cpu" "$load"
	done
	# The three runs must agree: the same combined CSV from every kind.
	a=$(sha256sum <"$WORK/round-$n/local/out/2025Q4/combined.csv")
	for kind in sftp azure; do
		b=$(sha256sum <"$WORK/round-$n/$kind/out/2025Q4/combined.csv")
		[[ $a == "$b" ]] || { echo "transfer: the $kind run's combined.csv differs from the local run's" >&2; exit 1; }
	done
done

echo
for kind in sftp azure; do
	printf '%-6s adds %6.1f%% to the local run (mean of %d; target < 25%%)\n' "$kind" \
		"$(echo "(${sum[$kind]} / ${sum[local]} - 1) * 100" | bc -l)" "$RUNS"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
