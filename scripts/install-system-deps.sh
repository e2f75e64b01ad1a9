#!/usr/bin/env bash
# System packages the tests and `npm run tandem` need (Debian 12). Idempotent: a package whose file is
# already there is skipped, so .ci/run, `npm test` and the VS Code setup may all call it every time.
#   chromium      the real browser the webview UI tests and the VS Code e2e tests drive through playwright-core
#                 (`npx playwright install` cannot download browsers on these machines)
#   ripgrep       VS Code's search (code-server's own postinstall would fetch it from GitHub)
#   libkrb5-dev   headers for VS Code server's kerberos native module
#   g++ make python3   node-gyp rebuilds of VS Code server's native modules; python3 also runs the report
#                 card's pass@1 tests (npm run eval, test/engine/eval*.test.ts)
#   unzip         reading VSIX files in the packaging checks
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v unzip >/dev/null 2>&1 || need+=(unzip)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-system-deps: missing ${need[*]}; install them with: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  SUDO=sudo
fi
echo "install-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update >&2
$SUDO apt-get install -y --no-install-recommends "${need[@]}" >&2
