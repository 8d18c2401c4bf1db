#!/usr/bin/env bash
# Installs every Debian package Coffer needs to build, run and test. Idempotent:
# packages already present are skipped and apt is not touched when nothing is
# missing. Run as root (or with sudo available) on Debian bookworm.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkgconf ccache clang libclang-rt-14-dev
  # libraries
  libssl-dev libsodium-dev libsqlite3-dev libutf8proc-dev libtomlplusplus-dev libcli11-dev
  libspdlog-dev nlohmann-json3-dev libssh-dev libcrack2-dev cracklib-runtime libboost1.81-dev
  libqrencode-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev sqlite3 python3 python3-pytest
  # real SFTP clients and auditors for the integration tests; sshd for the benchmark
  openssh-client openssh-server ssh-audit python3-paramiko rclone lftp hydra
  # HTTPS clients for the integration tests
  python3-requests curl python3-jsonschema
  # outside scanners: TLS configuration and SQL injection
  testssl.sh sqlmap
  # the HTTPS benchmark's peer and its small-request load generator (bench/run-https-bench.sh)
  nginx wrk
  # a real syslog collector (TCP and TLS) for the audit forwarding tests
  rsyslog rsyslog-openssl
  # runs the CLI at a past date, to make records old enough to prune
  faketime
  # the browser the web interface's tests drive (playwright-core, no browser download)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js 20+ with npm builds the web interface (web/). An installed one (such
# as NodeSource's, which bundles npm) is kept; otherwise Debian's is installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
