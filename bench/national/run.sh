#!/usr/bin/env bash
# National quarter benchmark: 296 partners, one per English housing
# authority, each with its own landing zone and one file of 50 to 3,000
# rows (one in three xlsx), taken by one `landingd run` (a) from local
# folders and (b) from SFTP zones, a folder each on one throwaway OpenSSH
# sshd on 127.0.0.1 under one login. Reports wall time, rows/s, peak RSS
# and CPU (/usr/bin/time -v), and the share of the cycle's CPU spent
# outside judging: the cycle's CPU less judging alone (`national judge`,
# the same files judged in one process), per partner and in all.
# For SFTP it also reports the CPU the server spent on the run (its
# per-connection processes, reaped by the listener: cutime + cstime).
# Goals: over SFTP < 60 s and < 256 MB.
#
#   bench/national/run.sh              local and SFTP, one run each
#   RUNS=3 bench/national/run.sh       three interleaved rounds (medians)
#   SFTP=0 bench/national/run.sh       local zones only
#
# Needs /usr/sbin/sshd and ssh-keygen (apt: openssh-server) for SFTP and
# /usr/bin/time (apt: time).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-1}
SFTP=${SFTP:-1}
for need in /usr/bin/time; do
	command -v "$need" >/dev/null || { echo "national: $need not found" >&2; exit 2; }
done
if [[ $SFTP == 1 ]]; then
	for need in /usr/sbin/sshd ssh-keygen; do
		command -v "$need" >/dev/null || { echo "national: $need not found (SFTP=0 skips SFTP)" >&2; exit 2; }
	done
fi

WORK=$(mktemp -d /tmp/landingd-bench-national-XXXXXX)
chmod 755 "$WORK"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[[ ${KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

go build -o "$WORK/landingd" ./cmd/landingd
go build -o "$WORK/national" ./bench/national
go build -o "$WORK/transfer" ./bench/transfer

kinds=(local)
flags=()
if [[ $SFTP == 1 ]]; then
	S="$WORK/sshd"
	mkdir -p "$S" "$WORK/sftp-root" /run/sshd 2>/dev/null || mkdir -p "$S" "$WORK/sftp-root"
	ssh-keygen -q -t ed25519 -N '' -C bench -f "$S/host"
	ssh-keygen -q -t ed25519 -N '' -C bench -f "$S/client"
	cp "$S/client.pub" "$S/authorized_keys"
	SSH_PORT=$("$WORK/transfer" port)
	cat >"$S/sshd_config" <<CONF
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
MaxSessions 100
Subsystem sftp internal-sftp
CONF
	echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$S/host.pub")" >"$S/known_hosts"
	/usr/sbin/sshd -D -E "$S/sshd.log" -f "$S/sshd_config" &
	pids+=($!)
	SSHD_PID=$!
	for _ in $(seq 1 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null && break
		sleep 0.05
	done
	kinds+=(sftp)
	flags=(-sftp-addr "127.0.0.1:$SSH_PORT" -sftp-user "$(id -un)" -sftp-key "$S/client"
		-known-hosts "$S/known_hosts" -sftp-root "$WORK/sftp-root")
fi

total=$("$WORK/national" "$WORK" "${flags[@]}")
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(go version | cut -d' ' -f3)"
echo "input:   296 partners, $total rows, $(du -sm "$WORK/files" | cut -f1) MB, $(find "$WORK/files" -name '*.xlsx' | wc -l) xlsx files, the rest CSV"

judge=$("$WORK/national" judge "$WORK")
judge_cpu=$(sed -n 's/.*cpu_s=\([0-9.]*\).*/\1/p' <<<"$judge")
echo "judging alone (one process, in turn): $judge"

# sshd_cpu: CPU seconds of the sshd listener's reaped children so far.
sshd_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($16 + $17) / hz}' "/proc/$SSHD_PID/stat"; }
seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); t=0; for(i=1;i<=n;i++) t=t*60+p[i]; print t}' "$1"; }
field() { awk -F': ' -v k="$2" '$1 ~ k {print $2}' "$1"; }

printf '\n%-6s %-6s %9s %9s %9s %9s %13s %13s\n' round kind "wall s" "rows/s" "RSS MB" "CPU s" "outside judging" "per partner"
for n in $(seq 1 "$RUNS"); do
	for kind in "${kinds[@]}"; do
		d="$WORK/$kind"
		rm -rf "$d/state" "$d/out"
		if [[ $kind == local ]]; then zones="$d/landing"; else zones="$WORK/sftp-root"; fi
		rm -rf "$zones"
		cp -r "$WORK/files" "$zones"
		sync # the copy's dirty pages would delay the cycle's fsyncs
		[[ $kind == sftp ]] && server0=$(sshd_cpu)
		code=0
		(cd "$d" && /usr/bin/time -v -o time.txt "$WORK/landingd" run --config protocol.yaml >out.txt 2>log.jsonl) || code=$?
		if [[ $code != 0 ]]; then
			echo "national: $kind run $n exited $code" >&2
			tail -20 "$d/out.txt" >&2
			exit 1
		fi
		judged=$(grep -c '"msg":"file judged"' "$d/log.jsonl" || true)
		[[ $judged == 296 ]] || { echo "national: $kind run $n judged $judged files, want 296" >&2; exit 1; }
		secs=$(seconds "$d/time.txt")
		rss=$(field "$d/time.txt" "Maximum resident set size")
		cpu=$(echo "$(field "$d/time.txt" "User time") + $(field "$d/time.txt" "System time")" | bc -l)
		outside=$(echo "$cpu - $judge_cpu" | bc -l)
		printf '%-6s %-6s %9.2f %9.0f %9d %9.2f %8.2f s %3.0f%% %9.1f ms\n' "$n" "$kind" "$secs" "$(echo "$total / $secs" | bc -l)" \
			$((rss / 1024)) "$cpu" "$outside" "$(echo "100 * $outside / $cpu" | bc -l)" "$(echo "1000 * $outside / 296" | bc -l)"
		if [[ $kind == sftp ]]; then
			sleep 1 # let the listener reap the last session
			printf '%-6s %-6s sshd used %.2f CPU s (%.1f ms a partner)\n' "$n" sftp "$(echo "$(sshd_cpu) - $server0" | bc -l)" \
				"$(echo "1000 * ($(sshd_cpu) - $server0) / 296" | bc -l)"
		fi
	done
	if [[ $SFTP == 1 ]]; then
		a=$(sha256sum <"$WORK/local/out/2025Q4/combined.csv")
		b=$(sha256sum <"$WORK/sftp/out/2025Q4/combined.csv")
		[[ $a == "$b" ]] || { echo "national: the SFTP run's combined.csv differs from the local run's" >&2; exit 1; }
	fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
