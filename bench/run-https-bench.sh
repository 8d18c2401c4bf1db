#!/usr/bin/env bash
# Coffer's HTTPS file transfer vs nginx (Debian) on loopback, one run, same client
# (curl), same certificate, same TLS versions and cipher list:
#   bash bench/run-https-bench.sh [coffer_binary] [work_dir]
# 1 GiB download (GET /api/v1/files/content vs nginx sendfile of a plain file) and
# 1 GiB upload (PUT /api/v1/files/content vs nginx's dav PUT to disk). Prints
# MiB/s and server CPU-seconds for each and coffer/nginx ratios. Coffer encrypts
# (AES-256-GCM, per-chunk), hashes (SHA-256) and fsyncs each upload, and
# decrypts and authenticates every chunk on download; nginx serves plain files.
# SIZE_MIB (default 1024) sets the file size; RUNS (default 3) the repetitions
# (the median is reported).
# Small requests: wrk (Debian) fetches one 4 KiB file over 64 keep-alive
# connections (2 threads) for WRK_SECONDS (default 10) per run, coffer and nginx
# alternately, RUNS times; it prints requests/s and p99 latency (median, min and
# max over the runs) and the coffer/nginx ratios. SMALL_ONLY=1 skips the 1 GiB
# transfers.
set -euo pipefail
cd "$(dirname "$0")/.."
coffer="$(realpath "${1:-build/release/src/coffer/coffer}")"
parent="${2:-/var/tmp}"
size_mib="${SIZE_MIB:-1024}"
runs="${RUNS:-3}"
[[ -x "$coffer" ]] || { echo "no $coffer; build it first (scripts/build.sh release)" >&2; exit 1; }
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || { echo "nginx missing (scripts/setup.sh)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing (scripts/setup.sh)" >&2; exit 1; }
wrk_seconds="${WRK_SECONDS:-10}"
small_only="${SMALL_ONLY:-0}"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d "$parent/coffer-https-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks_of() { local t=0; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo $t; }
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# TLS exactly as coffer's listener (src/http/server.cpp) configures it.
tls12="ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
tls13="TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"

# --- coffer
data="$work/coffer"
echo "Quartz-Meadow-Lantern-58" > "$work/pw"
"$coffer" init --data "$data" --admin-password-file "$work/pw" >/dev/null
"$coffer" --data "$data" user add bench --password-file "$work/pw" >/dev/null
"$coffer" --data "$data" folder add /Bench >/dev/null
"$coffer" --data "$data" grant /Bench bench list,read,write,delete >/dev/null
coffer_port=$(free_port)
python3 - "$data/coffer.toml" "$coffer_port" <<'PY'
import re, sys
path, port = sys.argv[1], sys.argv[2]
t = open(path).read()
def section(t, name, key, value):
    s = t.index(f"\n[{name}]\n"); e = t.find("\n[", s + 1); e = len(t) if e < 0 else e
    body, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", t[s:e]); assert n == 1
    return t[:s] + body + t[e:]
t = section(t, "http", "port", port)
# wrk opens 64 connections from one address; the default cap per address is lower.
t = section(t, "http", "max_connections_per_address", 256)
t = section(t, "sftp", "enabled", "false")
open(path, "w").write(t)
PY
"$coffer" --data "$data" serve > "$work/coffer.log" 2>&1 &
coffer_pid=$!
pids+=("$coffer_pid")
for _ in $(seq 100); do grep -q "Listening: https" "$work/coffer.log" && break; sleep 0.1; done
grep -q "Listening: https" "$work/coffer.log" || { cat "$work/coffer.log"; exit 1; }
cert="$data/tls/cert.pem"
key="$data/tls/key.pem"
# An API token for the bench user: sign in, change the one-time password if asked, make a token.
token=$(python3 - "https://127.0.0.1:$coffer_port" "$cert" "$(cat "$work/pw")" <<'PY'
import sys, requests
url, ca, pw = sys.argv[1:]
s = requests.Session(); s.trust_env = False; s.verify = ca
r = s.post(url + "/api/v1/auth/login", json={"username": "bench", "password": pw}); r.raise_for_status()
csrf = r.json()["csrf_token"]
if r.json()["user"].get("must_change_password"):
    s.post(url + "/api/v1/me/password", headers={"X-CSRF-Token": csrf},
           json={"current_password": pw, "new_password": pw + "-2"}).raise_for_status()
    csrf = s.get(url + "/api/v1/me").json()["csrf_token"]
r = s.post(url + "/api/v1/me/tokens", headers={"X-CSRF-Token": csrf},
           json={"name": "bench", "scopes": ["read", "write"], "expires_in_days": 1})
r.raise_for_status(); print(r.json()["token"])
PY
)

# --- nginx: one worker, same certificate and ciphers, sendfile, dav PUT to disk
nginx_port=$(free_port)
mkdir -p "$work/nginx/root" "$work/nginx/tmp" "$work/nginx/logs"
# nginx's workers run as www-data when started as root: let them reach their files.
chmod 755 "$work" "$work/nginx"
if [[ $(id -u) -eq 0 ]]; then chown -R www-data "$work/nginx/root" "$work/nginx/tmp"; fi
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
$( [[ $(id -u) -eq 0 ]] && echo "user www-data;" )
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 512; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx/tmp;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers $tls12;
    ssl_conf_command Ciphersuites $tls13;
    ssl_prefer_server_ciphers on;
    root $work/nginx/root;
    location / { dav_methods PUT; create_full_put_path on; }
  }
}
CONF
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" -g "daemon off;" &
nginx_master=$!
pids+=("$nginx_master")
sleep 0.5
nginx_pids() { echo "$nginx_master" $(pgrep -P "$nginx_master"); }

curl_common=(-sS --cacert "$cert" --tls-max 1.3 -o /dev/null)
auth=(-H "Authorization: Bearer $token")
nginx_version=$("$nginx_bin" -v 2>&1 | sed 's/.*\///')

# One transfer: prints "MiB/s cpu_s" for the server's processes.
measure() {  # measure <pids...> -- <curl args...>
  local ps=() ; while [[ "$1" != "--" ]]; do ps+=("$1"); shift; done; shift
  local t0; t0=$(ticks_of "${ps[@]}")
  local speed; speed=$(curl "${curl_common[@]}" -w '%{speed_download} %{speed_upload} %{http_code}' "$@")
  local t1; t1=$(ticks_of "${ps[@]}")
  local code=${speed##* }
  [[ "$code" == 200 || "$code" == 201 || "$code" == 204 ]] || { echo "transfer failed: $code: ${*: -1}" >&2; exit 1; }
  awk -v d="${speed%% *}" -v rest="${speed#* }" -v c="$(cpu_s "$t0" "$t1")" \
    'BEGIN { split(rest, a, " "); s = (d > a[1] ? d : a[1]); printf "%.1f %s\n", s / 1048576, c }'
}

big_transfers() {
  local src="$work/src.bin"
  head -c "$((size_mib << 20))" /dev/urandom > "$src"
  cp "$src" "$work/nginx/root/file.bin"
  chmod 644 "$work/nginx/root/file.bin"
  declare -A speed cpu
  for what in coffer_up nginx_up coffer_down nginx_down; do : > "$work/$what"; done
  # Seed coffer's copy once so downloads have something to read.
  curl "${curl_common[@]}" "${auth[@]}" -T "$src" "https://127.0.0.1:$coffer_port/api/v1/files/content?path=/Bench/file.bin"
  for i in $(seq "$runs"); do
    measure "$coffer_pid" -- "${auth[@]}" -T "$src" \
      "https://127.0.0.1:$coffer_port/api/v1/files/content?path=/Bench/up.bin" >> "$work/coffer_up"
    measure $(nginx_pids) -- -T "$src" "https://127.0.0.1:$nginx_port/up.bin" >> "$work/nginx_up"
    measure "$coffer_pid" -- "${auth[@]}" \
      "https://127.0.0.1:$coffer_port/api/v1/files/content?path=/Bench/file.bin" >> "$work/coffer_down"
    measure $(nginx_pids) -- "https://127.0.0.1:$nginx_port/file.bin" >> "$work/nginx_down"
  done
  for what in coffer_up nginx_up coffer_down nginx_down; do
    speed[$what]=$(cut -d' ' -f1 "$work/$what" | median)
    cpu[$what]=$(cut -d' ' -f2 "$work/$what" | median)
  done
  rm -f "$src" "$work/nginx/root/file.bin" "$work/nginx/root/up.bin"
  printf '\nHTTPS, %d MiB, loopback, TLS 1.3, curl, median of %d (nginx %s, 1 worker)\n' \
    "$size_mib" "$runs" "$nginx_version"
  printf '%-10s %12s %12s %12s %12s %8s %8s\n' transfer coffer_MiB/s nginx_MiB/s coffer_cpu_s nginx_cpu_s speed_x cpu_x
  for dir in up down; do
    local c=coffer_$dir n=nginx_$dir
    awk -v d="$dir" -v cs="${speed[$c]}" -v ns="${speed[$n]}" -v cc="${cpu[$c]}" -v nc="${cpu[$n]}" \
      'BEGIN { printf "%-10s %12.1f %12.1f %12.2f %12.2f %8.2f %8.2f\n", (d == "up" ? "upload" : "download"), cs, ns, cc, nc, cs / ns, (nc > 0 ? cc / nc : 0) }'
  done
  for dir in up down; do
    printf '  all runs %-4s coffer: %s  nginx: %s (MiB/s)\n' "$dir" \
      "$(cut -d' ' -f1 "$work/coffer_$dir" | tr '\n' ' ')" "$(cut -d' ' -f1 "$work/nginx_$dir" | tr '\n' ' ')"
  done
}

# One wrk run: prints "requests_per_s p99_ms cpu_s"; fails on any non-2xx answer
# or socket error, so an error page can never pass for speed.
wrk_run() {  # wrk_run <pids...> -- <wrk args...>
  local ps=() ; while [[ "$1" != "--" ]]; do ps+=("$1"); shift; done; shift
  local t0; t0=$(ticks_of "${ps[@]}")
  local out; out=$(wrk -t2 -c64 -d"${wrk_seconds}s" --latency "$@")
  local t1; t1=$(ticks_of "${ps[@]}")
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then echo "wrk saw errors: $out" >&2; exit 1; fi
  awk -v c="$(cpu_s "$t0" "$t1")" '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; ms = v + 0
      if (v ~ /us$/) ms /= 1000; else if (v ~ /ms$/) ms += 0; else if (v ~ /m$/) ms *= 60000; else if (v ~ /s$/) ms *= 1000
      p99 = ms }
    END { printf "%.0f %.2f %s\n", rps, p99, c }' <<<"$out"
}

small_requests() {
  head -c 4096 /dev/urandom > "$work/small.bin"
  cp "$work/small.bin" "$work/nginx/root/small.bin"
  chmod 644 "$work/nginx/root/small.bin"
  curl "${curl_common[@]}" "${auth[@]}" -T "$work/small.bin" \
    "https://127.0.0.1:$coffer_port/api/v1/files/content?path=/Bench/small.bin"
  : > "$work/coffer_small"; : > "$work/nginx_small"
  for i in $(seq "$runs"); do
    wrk_run "$coffer_pid" -- -H "Authorization: Bearer $token" \
      "https://127.0.0.1:$coffer_port/api/v1/files/content?path=/Bench/small.bin" >> "$work/coffer_small"
    wrk_run $(nginx_pids) -- "https://127.0.0.1:$nginx_port/small.bin" >> "$work/nginx_small"
  done
  printf '\nHTTPS, 4 KiB GET, wrk -t2 -c64 -d%ss, keep-alive, %d runs each, alternating (nginx %s, 1 worker; coffer %s threads)\n' \
    "$wrk_seconds" "$runs" "$nginx_version" "$(awk '/^threads = / { print $3 }' "$data/coffer.toml" | head -1)"
  printf '%-8s %10s %10s %10s %10s %10s %10s %8s\n' server req/s_med req/s_min req/s_max p99_ms_med p99_ms_min p99_ms_max cpu_s
  for s in coffer nginx; do
    local f="$work/${s}_small"
    printf '%-8s %10s %10s %10s %10s %10s %10s %8s\n' "$s" \
      "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f1 "$f" | sort -g | head -1)" "$(cut -d' ' -f1 "$f" | sort -g | tail -1)" \
      "$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f2 "$f" | sort -g | head -1)" "$(cut -d' ' -f2 "$f" | sort -g | tail -1)" \
      "$(cut -d' ' -f3 "$f" | median)"
  done
  awk -v cr="$(cut -d' ' -f1 "$work/coffer_small" | median)" -v nr="$(cut -d' ' -f1 "$work/nginx_small" | median)" \
      -v cp="$(cut -d' ' -f2 "$work/coffer_small" | median)" -v np="$(cut -d' ' -f2 "$work/nginx_small" | median)" \
    'BEGIN { printf "coffer/nginx: rate %.2fx (target >= 0.5x), p99 %.2fx\n", cr / nr, (np > 0 ? cp / np : 0) }'
}

[[ "$small_only" == 1 ]] || big_transfers
small_requests
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$coffer_pid/status")
echo "coffer peak RSS over the run: $((rss / 1024)) MiB"
