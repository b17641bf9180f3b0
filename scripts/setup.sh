#!/usr/bin/env bash
# Everything cookiescan needs on a fresh Debian machine: a browser, the Python
# package in .venv, and the pinned npm packages (consent rules, fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser: Debian's chromium when we can install it; otherwise Playwright's own.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || true
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo apt-get update -qq || true
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || true
  fi
fi

# Services the test suite starts on localhost ports (distributed scans, team
# history): Debian's redis-server and PostgreSQL. The embedded default (SQLite,
# no worker) needs neither.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || true
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq || true
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || true
  fi
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/pip install -q -e '.[dev]'

if ! command -v chromium >/dev/null 2>&1; then
  .venv/bin/python -m playwright install chromium
fi

# Scripts of npm packages are not needed (we only read their files) and would
# try to download browsers.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
