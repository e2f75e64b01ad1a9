#!/usr/bin/env bash
# Builds llama-server from the llama.cpp source node-llama-cpp ships (node_modules/node-llama-cpp/llama/
# gitRelease.bundle), once per machine: the binary is cached OUTSIDE the checkout, keyed by the llama.cpp tag in
# llama.cpp.info.json, so fresh clones and worktrees reuse it and an upgrade of node-llama-cpp builds the new one.
#
#   bash scripts/build-llama-server.sh            build if needed, print progress, then the binary's path
#   bash scripts/build-llama-server.sh --path     print the path the binary has (built or not) and exit
#
# Cache: $TANDEM_LLAMA_SERVER_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/tandem/llama-server; <tag>/llama-server.
# Idempotent and safe to run concurrently (a lock file; the binary appears by rename only when complete).
# Offline: no download (HTTPS, libcurl and the prebuilt web UI are off). About 12 CPU-minutes (6 to 10 minutes on 2
# idle cores), run under `nice` so an editor or other jobs on the machine keep their share. Needs git, cmake and a C++ compiler
# (scripts/install-system-deps.sh installs them on Debian); ninja is used when present.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LLAMA_DIR="$ROOT/node_modules/node-llama-cpp/llama"
BUNDLE="$LLAMA_DIR/gitRelease.bundle"
INFO="$LLAMA_DIR/llama.cpp.info.json"
say() { echo "llama-server: $*" >&2; }

if [ ! -f "$BUNDLE" ] || [ ! -f "$INFO" ]; then
  say "FAILED: $BUNDLE or $INFO is missing; run npm install first"
  exit 1
fi
TAG="$(node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tag || ""))' "$INFO")"
if ! [[ "$TAG" =~ ^[A-Za-z0-9._-]+$ ]]; then
  say "FAILED: no usable llama.cpp tag in $INFO ('$TAG')"
  exit 1
fi
CACHE_ROOT="${TANDEM_LLAMA_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem/llama-server}"
DIR="$CACHE_ROOT/$TAG"
BIN="$DIR/llama-server"

if [ "${1:-}" = "--path" ]; then
  echo "$BIN"
  exit 0
fi

# A cached binary counts only if it runs here (a cache copied from a machine with other CPU features may not).
usable() { [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; }
if usable; then
  echo "$BIN"
  exit 0
fi

for tool in git cmake c++; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "FAILED: $tool is not installed (bash scripts/install-system-deps.sh installs git, cmake and g++ on Debian)"
    exit 1
  fi
done

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.$TAG.lock"
if ! flock -n 9; then
  say "another process is building llama.cpp $TAG; waiting for it"
  flock 9
fi
if usable; then
  echo "$BIN"
  exit 0
fi

JOBS="${TANDEM_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
WORK="$(mktemp -d "$CACHE_ROOT/.build-$TAG-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
LOG="$WORK/build.log"
started=$(date +%s)
say "building llama.cpp $TAG, once per machine (about 12 CPU-minutes: 6 to 10 minutes on 2 idle cores, longer on a busy machine) into $DIR"
say "  source: $BUNDLE; $JOBS parallel jobs under nice; log: $DIR/build.log when done"

git clone --quiet "$BUNDLE" "$WORK/src" 2>>"$LOG"
COMMIT="$(git -C "$WORK/src" rev-parse HEAD)"
GENERATOR=()
if command -v ninja >/dev/null 2>&1; then GENERATOR=(-G Ninja); fi
FLAGS=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=OFF
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON
  -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF
  -DGGML_CCACHE=OFF
)
say "configuring (cmake ${FLAGS[*]})"
if ! nice -n 10 cmake -S "$WORK/src" -B "$WORK/build" "${GENERATOR[@]}" "${FLAGS[@]}" >>"$LOG" 2>&1; then
  tail -n 40 "$LOG" >&2
  say "FAILED: cmake could not configure llama.cpp $TAG (full log above, last 40 lines)"
  exit 1
fi

# Progress: one line per 10% from the build tool's [n/N] (ninja) or [ p%] (make) counters, as they come (a read loop:
# awk would buffer the pipe and print them in bursts).
progress() {
  local next=0 p line
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$LOG"
    if [[ $line =~ ^\[\ *([0-9]+)/([0-9]+)\] ]]; then
      p=$(( 100 * BASH_REMATCH[1] / BASH_REMATCH[2] ))
    elif [[ $line =~ ^\[\ *([0-9]+)%\] ]]; then
      p=${BASH_REMATCH[1]}
    else
      continue
    fi
    if (( p >= next )); then
      say "build ${p}% ($(( $(date +%s) - started )) s)"
      next=$(( p - p % 10 + 10 ))
    fi
  done
}
set +e
nice -n 10 cmake --build "$WORK/build" --target llama-server -j "$JOBS" 2>&1 | progress
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  grep -E "error|Error" "$LOG" | tail -n 20 >&2 || true
  say "FAILED: building llama-server from llama.cpp $TAG exited with $status (log: $LOG, kept below)"
  mkdir -p "$DIR" && cp "$LOG" "$DIR/build-failed.log"
  exit 1
fi

OUT="$(find "$WORK/build" -type f -name llama-server -perm -u+x | head -n 1)"
if [ -z "$OUT" ] || ! "$OUT" --version >/dev/null 2>&1; then
  say "FAILED: the build finished but produced no runnable llama-server"
  exit 1
fi
mkdir -p "$DIR"
cp "$OUT" "$DIR/.llama-server.tmp"
cp "$LOG" "$DIR/build.log"
seconds=$(( $(date +%s) - started ))
printf '{"tag":"%s","commit":"%s","seconds":%d,"jobs":%d,"builtAt":"%s","flags":"%s"}\n' \
  "$TAG" "$COMMIT" "$seconds" "$JOBS" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${FLAGS[*]}" >"$DIR/build.json"
mv "$DIR/.llama-server.tmp" "$BIN"
say "built llama.cpp $TAG in ${seconds} s: $BIN"
echo "$BIN"
