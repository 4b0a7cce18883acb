#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (the dashboard's), once; later calls return at
# once. Prints the browser's path. Exits non-zero with one line when it cannot install: not root
# and no sudo, or no apt-get (the tests then skip with that line).
set -euo pipefail
installed() {
  for candidate in "${MESHFLOW_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
installed && exit 0
# The test JVMs run in two forks and may both ask at once: one installs while the other waits for
# it, then finds the browser (without this the second apt-get failed on dpkg's lock and its test
# skipped). apt also waits for dpkg's lock if something else holds it, as on a just-booted machine.
if command -v flock >/dev/null; then
  exec 9>"${TMPDIR:-/tmp}/meshflow-chromium-install.lock"
  flock -w 900 9 || { echo "cannot install Chromium: waited 15 minutes for another install" >&2; exit 2; }
  installed && exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "cannot install Chromium: no apt-get on this machine (set MESHFLOW_CHROMIUM to a Chromium binary)" >&2
  exit 2
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "cannot install Chromium: apt-get needs root, and sudo is not available without a password" >&2
    exit 2
  fi
fi
log=$(mktemp -t chromium-install.XXXXXX)
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale on a fresh machine; one update, then the install.
if ! $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends chromium >"$log" 2>&1; then
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -q >>"$log" 2>&1 || true
  if ! $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends chromium >>"$log" 2>&1; then
    echo "cannot install Chromium: apt-get install chromium failed: $(tail -1 "$log")" >&2
    exit 2
  fi
fi
echo /usr/bin/chromium
