#!/usr/bin/env bash
# Coffer's SFTP front-end vs OpenSSH's sshd (internal-sftp in a chroot, as file
# servers run it) on loopback, same client (OpenSSH sftp), same cipher, one run.
#   bash bench/run-sftp-bench.sh [coffer_binary] [work_dir]
# Reports wall time, MiB/s and server CPU-seconds for: 1 GiB upload and download
# with chacha20-poly1305 and aes128-gcm; 1,000 files of 4 KiB; 16 and 64
# concurrent sessions (each moving 16 MiB up and down); 200 connect-sign-in-
# list-quit cycles; and coffer's memory per idle and per busy session.
# Coffer stores everything encrypted (AES-256-GCM) and hashed (SHA-256) and
# fsyncs each upload at close; sshd writes plain files without fsync.
# Needs root (sshd's chroot). SIZE_MIB (default 1024) sets the large file size.
set -euo pipefail
cd "$(dirname "$0")/.."
coffer="$(realpath "${1:-build/release/src/coffer/coffer}")"
parent="${2:-/var/tmp}"
size_mib="${SIZE_MIB:-1024}"
[[ -x "$coffer" ]] || { echo "no $coffer; build it first (scripts/build.sh release)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "run as root (sshd needs it for its chroot)" >&2; exit 1; }

work=$(mktemp -d "$parent/coffer-sftp-bench.XXXXXX")
# sshd's chroot must be owned by root with no writable component above it,
# which /var/tmp is not; /srv is, and is on the same disk.
chroot=$(mktemp -d /srv/coffer-sftp-bench.XXXXXX)
chmod 755 "$chroot"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null
  rm -rf "$work" "$chroot"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }  # own + reaped children
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'; }

ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/sshd_host_key"

# --- OpenSSH sshd with internal-sftp, chrooted
sshd_port=$(free_port)
mkdir -p "$chroot/files" "$work/root_ssh"
cp "$work/client_key.pub" "$work/root_ssh/authorized_keys"
cat > "$work/sshd_config" <<CONF
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $work/sshd_host_key
PidFile none
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
AuthorizedKeysFile $work/root_ssh/authorized_keys
StrictModes no
Subsystem sftp internal-sftp
ChrootDirectory $chroot
ForceCommand internal-sftp
MaxSessions 100
MaxStartups 200:30:300
CONF
mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$work/sshd_config" 2>"$work/sshd.log" &
sshd_pid=$!
pids+=("$sshd_pid")

# --- coffer
coffer_port=$(free_port)
printf 'bench sign-in phrase 7QX\n' > "$work/admin_pw"
"$coffer" init --data "$work/coffer" --admin-password-file "$work/admin_pw" >/dev/null
sed -i "s/^port = 2222/port = $coffer_port/; s/^max_sessions_per_address = 50/max_sessions_per_address = 500/; s/^max_sessions_per_user = 50/max_sessions_per_user = 500/" "$work/coffer/coffer.toml"
"$coffer" --data "$work/coffer" user add bench --password-file "$work/admin_pw" >/dev/null
"$coffer" --data "$work/coffer" user key add bench "$work/client_key.pub" >/dev/null
"$coffer" --data "$work/coffer" folder add /files >/dev/null
"$coffer" --data "$work/coffer" grant /files bench all >/dev/null
"$coffer" serve --data "$work/coffer" >"$work/coffer.out" 2>"$work/coffer.log" &
coffer_pid=$!
pids+=("$coffer_pid")
sleep 1

ssh_opts=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
          -o BatchMode=yes -o IdentitiesOnly=yes -i "$work/client_key")
target() {  # server -> "port user"
  if [[ $1 == openssh ]]; then echo "$sshd_port root"; else echo "$coffer_port bench"; fi
}
server_pid() { if [[ $1 == openssh ]]; then echo "$sshd_pid"; else echo "$coffer_pid"; fi; }
run_sftp() {  # server cipher batch_text
  read -r port user < <(target "$1")
  sftp -q -b - -P "$port" -c "$2" "${ssh_opts[@]}" "$user@127.0.0.1" <<<"$3" >/dev/null
}

results=()
measure() {  # label server cmd...
  local label="$1" server="$2"; shift 2
  local pid t0 c0 t1 c1
  pid=$(server_pid "$server")
  sync
  t0=$(now); c0=$(ticks "$pid")
  "$@"
  t1=$(now); c1=$(ticks "$pid")
  local wall cpu
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  cpu=$(cpu_s "$c0" "$c1")
  results+=("$label|$server|$wall|$cpu")
  printf '%-34s %-8s %8ss %8s CPU-s\n' "$label" "$server" "$wall" "$cpu"
}

echo "making a ${size_mib} MiB file and 1,000 files of 4 KiB ..."
head -c "$((size_mib * 1048576))" /dev/urandom > "$work/big"
mkdir -p "$work/small"
python3 -c 'import os, sys
for i in range(1, 1001):
    open(f"{sys.argv[1]}/f{i}", "wb").write(os.urandom(4096))' "$work/small"
head -c $((16 * 1048576)) /dev/urandom > "$work/mid"

for cipher in chacha20-poly1305@openssh.com aes128-gcm@openssh.com; do
  short=${cipher%%-poly*}; short=${short%%@*}
  for server in openssh coffer; do
    measure "upload ${size_mib} MiB $short" "$server" run_sftp "$server" "$cipher" "put $work/big /files/big"
    measure "download ${size_mib} MiB $short" "$server" run_sftp "$server" "$cipher" "get /files/big /dev/null"
    run_sftp "$server" "$cipher" "rm /files/big"
  done
done

for server in openssh coffer; do
  measure "1000 x 4 KiB upload" "$server" run_sftp "$server" aes128-gcm@openssh.com \
    "mkdir /files/small
put -r $work/small/* /files/small/"
done

concurrent() {  # server n
  local i jobs=()
  for i in $(seq 1 "$2"); do
    run_sftp "$1" aes128-gcm@openssh.com "put $work/mid /files/c$i
get /files/c$i /dev/null
rm /files/c$i" &
    jobs+=($!)
  done
  for j in "${jobs[@]}"; do wait "$j"; done
}
for n in 16 64; do
  for server in openssh coffer; do
    measure "$n sessions x 16 MiB up+down" "$server" concurrent "$server" "$n"
  done
done

cycles() { local i; for i in $(seq 1 200); do run_sftp "$1" aes128-gcm@openssh.com "ls /files"; done; }
for server in openssh coffer; do
  measure "200 connect-auth-ls-quit" "$server" cycles "$server"
done

# Memory: coffer's RSS with 200 idle sessions, and with 16 busy ones.
rss() { awk '/VmRSS/ { print $2 }' "/proc/$coffer_pid/status"; }
base=$(rss)
idle=()
for i in $(seq 1 200); do
  (sleep 20 | sftp -q -b - -P "$coffer_port" "${ssh_opts[@]}" "bench@127.0.0.1" >/dev/null 2>&1) &
  idle+=($!)
done
sleep 5
with_idle=$(rss)
for j in "${idle[@]}"; do kill "$j" 2>/dev/null || true; done
wait "${idle[@]}" 2>/dev/null || true
sleep 2
base2=$(rss)
concurrent coffer 16 &
cj=$!
peak=$base2
while kill -0 "$cj" 2>/dev/null; do r=$(rss); (( r > peak )) && peak=$r; sleep 0.2; done
echo
echo "coffer RSS: $base KiB at rest; +$(( (with_idle - base) / 200 )) KiB per idle session (200 open);" \
     "peak +$(( (peak - base2) / 16 )) KiB per busy session (16 moving 16 MiB each)"

echo
echo "Summary (ratios: OpenSSH time / coffer time for speed, coffer CPU / OpenSSH CPU):"
printf '%-34s %10s %10s %8s %10s %10s %8s\n' test "openssh s" "coffer s" speed "ossh CPU" "coffer CPU" "CPU"
declare -A wall cpu
for r in "${results[@]}"; do
  IFS='|' read -r label server w c <<<"$r"
  wall["$label|$server"]=$w; cpu["$label|$server"]=$c
done
seen=()
for r in "${results[@]}"; do
  IFS='|' read -r label _ _ _ <<<"$r"
  [[ " ${seen[*]} " == *" $label "* ]] && continue
  seen+=("$label")
  ow=${wall["$label|openssh"]}; cw=${wall["$label|coffer"]}
  oc=${cpu["$label|openssh"]}; cc=${cpu["$label|coffer"]}
  awk -v l="$label" -v ow="$ow" -v cw="$cw" -v oc="$oc" -v cc="$cc" 'BEGIN {
    printf "%-34s %10.2f %10.2f %7.2fx %10.2f %10.2f %7.2fx\n", l, ow, cw, ow / cw, oc, cc, (oc > 0 ? cc / oc : 0) }'
done
