#!/usr/bin/env bash
# Installs Debian's chromium (browser tests) and redis-server (fleet tests) when missing.
# Fails loudly, naming the packages, when they cannot be installed: a test is never skipped silently.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "Installing missing system packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Cannot install ${missing[*]}: not root and no sudo. Run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
if ! { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"; } >&2; then
  echo "Failed to install ${missing[*]}. Run: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
