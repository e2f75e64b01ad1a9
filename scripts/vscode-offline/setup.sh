#!/usr/bin/env bash
# Installs a real VS Code (1.99.3, the server + web client shipped in the npm package code-server@4.99.4)
# under .cache/vscode-server/ for offline extension tests and for `npm run tandem` on machines without
# desktop VS Code. Idempotent: a marker file skips everything once done; the npm cache makes reinstalls
# fast. Needs only the npm registry and (for missing system packages) Debian's apt.
# Prints the VS Code folder (the one holding out/server-main.js) as its last line.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
CODE_SERVER_VERSION=4.99.4
DIR="${TANDEM_VSCODE_SERVER_DIR:-$ROOT/.cache/vscode-server}"
VSCODE="$DIR/node_modules/code-server/lib/vscode"
MARKER="$DIR/.ready-$CODE_SERVER_VERSION"

if [ -f "$MARKER" ] && [ -f "$VSCODE/out/server-main.js" ]; then
  echo "$VSCODE"
  exit 0
fi

log() { echo "vscode-offline setup: $*" >&2; }

# System packages (ripgrep, libkrb5-dev, a C/C++ toolchain for the native rebuilds, chromium): one script.
bash "$ROOT/scripts/install-system-deps.sh" >&2

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export npm_config_yes=true
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{ "name": "tandem-vscode-server", "private": true }' > package.json

log "installing code-server@$CODE_SERVER_VERSION (VS Code 1.99.3) into $DIR"
# Its own postinstall fetches ripgrep from GitHub; the steps below replace it.
npm install --save-exact --ignore-scripts "code-server@$CODE_SERVER_VERSION" >&2

cd "$VSCODE"
log "installing VS Code's runtime dependencies"
npm install --omit=dev --ignore-scripts >&2
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
log "building native modules"
npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog @vscode/deviceid native-watchdog >&2
ln -sfn node_modules node_modules.asar
log "installing built-in extensions' dependencies"
(cd extensions && npm install --omit=dev --ignore-scripts >&2)

touch "$MARKER"
log "ready"
echo "$VSCODE"
