#!/usr/bin/env bash
# Idempotent: make a Docker engine answer on this host.
# - Docker already answers: do nothing (never restart or stop an engine we did not start).
# - Debian host without an engine: install docker.io and start dockerd detached,
#   its output in a log file (a daemon holding our stdout would hang CI).
set -euo pipefail

log=${STREAMPROOF_DOCKERD_LOG:-/var/log/streamproof-dockerd.log}

answers() { timeout 10 docker info >/dev/null 2>&1; }

if answers; then
  echo "streamproof: Docker engine already answers; leaving it as it is."
  exit 0
fi

fail() {
  echo "STREAMPROOF_DOCKER_UNAVAILABLE: $1" >&2
  echo "To fix: $2" >&2
  exit 1
}

if ! command -v dockerd >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || fail "no Docker engine answers and this host has no apt-get to install one" \
    "install and start Docker (https://docs.docker.com/engine/install/), then run this again"
  [ "$(id -u)" = 0 ] || fail "installing docker.io needs root" "run 'sudo $0', or start Docker yourself"
  echo "streamproof: installing Debian's docker.io (no Docker engine answers)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "dockerd is installed but not running, and starting it needs root" "run 'sudo $0'"
  echo "streamproof: starting dockerd in the background (log: $log)..."
  # Started directly: Debian's init script fails on 'ulimit' in these sandboxes.
  # setsid + redirected fds: the daemon must not hold the caller's terminal or pipes.
  setsid dockerd >"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if answers; then
    echo "streamproof: Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))."
    exit 0
  fi
  sleep 1
done
tail -n 20 "$log" >&2 || true
fail "dockerd did not answer within 60 s" "read $log for the daemon's own error"
