#!/usr/bin/env bash
# System packages the test suites need (Debian 12). Idempotent: every step is skipped when its
# binary is already there, so CI runs (and .ci/run) may call it every time.
#   chromium — the real browser the webview UI tests (test/webview) drive through playwright-core;
#              `npx playwright install` cannot download browsers on these machines.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-system-deps: nothing to install"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

echo "install-system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${need[@]}"
