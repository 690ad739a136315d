#!/usr/bin/env bash
# One-command setup, run first by `npm start` and `npm test` (and by .ci/run).
# Idempotent; each step is skipped quickly when already satisfied (second run: ~1-2 s).
#
#   a. Debian packages (ffmpeg, chromium, redis, tini, nginx, wrk, fonts, espeak-ng + mediasoup worker build deps)
#   b. node_modules via `npm ci`, only when missing or package-lock.json changed
#   c. mediasoup-worker binary at node_modules/mediasoup/worker/out/Release/mediasoup-worker,
#      where mediasoup looks by default (no env var needed at run time). Sources, in order:
#      already there -> per-version cache -> mediasoup's own prebuilt download (`npm rebuild`) ->
#      scripts/build-mediasoup-worker.sh (npm registry + Debian libs only, ~4-7 min).
#   d. sanity check: the worker starts under mediasoup.
#
# Environment (all optional):
#   JALSA_CACHE_DIR        cache root (default ${XDG_CACHE_HOME:-~/.cache}/jalsa); the worker is kept
#                          at $JALSA_CACHE_DIR/mediasoup-worker/<version>/mediasoup-worker because
#                          `npm ci` wipes node_modules.
#   JALSA_SKIP_APT=1       don't check/install Debian packages
#   JALSA_SKIP_PREBUILT=1  don't try mediasoup's prebuilt download, build directly
#   JALSA_PREBUILT_TIMEOUT seconds allowed for `npm rebuild mediasoup` (default 300)
set -Eeuo pipefail
trap 'rc=$?; echo "setup: FAILED (exit $rc) at scripts/setup.sh:$LINENO: $BASH_COMMAND" >&2' ERR

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
CACHE_ROOT="${JALSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jalsa}"
STATE_DIR="$ROOT/.cache/setup"   # lock + logs (git-ignored)
WORKER_REL="node_modules/mediasoup/worker/out/Release/mediasoup-worker"
WORKER_DST="$ROOT/$WORKER_REL"

log() { echo "setup: $*"; }
warn() { echo "setup: WARNING: $*" >&2; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

mkdir -p "$STATE_DIR"

# Serialize concurrent runs (e.g. `npm start` and `npm test` at once): both would `npm ci` or
# build the worker at the same time otherwise.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$STATE_DIR/lock"
  if ! flock -n 9; then
    log "waiting for another scripts/setup.sh to finish ..."
    flock 9
  fi
fi

# ---------------------------------------------------------------------------------------------
# a. Debian packages
# ---------------------------------------------------------------------------------------------
APT_RUNTIME=(ffmpeg chromium redis-server tini nginx wrk fonts-dejavu-core fonts-hosny-amiri ca-certificates espeak-ng)
# Needed only to build the worker; installed always on Debian (simpler, and the build is the
# fallback on any machine without the prebuilt download).
APT_BUILD=(g++ make pkg-config ninja-build meson flatbuffers-compiler libflatbuffers-dev
  libsrtp2-dev libuv1-dev libusrsctp-dev libabsl-dev libssl-dev)

if [ "${JALSA_SKIP_APT:-0}" = 1 ]; then
  log "apt packages: skipped (JALSA_SKIP_APT=1)"
elif command -v dpkg-query >/dev/null 2>&1; then
  # One dpkg-query for all packages; unknown packages are simply absent from the output.
  installed=" $(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${APT_RUNTIME[@]}" "${APT_BUILD[@]}" 2>/dev/null \
    | awk '$2 == "installed" { printf "%s ", $1 }' || true) "
  missing=()
  for p in "${APT_RUNTIME[@]}" "${APT_BUILD[@]}"; do
    [[ "$installed" == *" $p "* ]] || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "apt packages: ok"
  else
    SUDO=()
    if [ "$(id -u)" != 0 ]; then
      if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else SUDO=(none); fi
    fi
    if ! command -v apt-get >/dev/null 2>&1 || [ "${SUDO[*]}" = none ]; then
      # Setup itself can go on: the worker build checks its own deps and fails loudly if it
      # needs them; the runtime tools are needed by the app/tests, not by this script.
      warn "missing Debian packages (not root, no sudo/apt-get): ${missing[*]}"
      warn "install them with: apt-get install -y --no-install-recommends ${missing[*]}"
    else
      log "apt packages: installing ${missing[*]}"
      "${SUDO[@]}" apt-get update -qq
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$STATE_DIR/apt.log" 2>&1 \
        || { tail -n 30 "$STATE_DIR/apt.log" >&2; die "apt-get install failed (full log: $STATE_DIR/apt.log)"; }
      log "apt packages: installed"
    fi
  fi
else
  # Not Debian: we cannot install anything; say what the app and tests will miss.
  missing=()
  for c in ffmpeg chromium redis-server tini nginx; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    warn "no dpkg/apt here; these commands are missing (install them yourself): ${missing[*]}"
  else
    log "apt packages: no apt here, required commands present"
  fi
fi

# ---------------------------------------------------------------------------------------------
# b. node_modules
# ---------------------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node is not installed (Node 20 or >= 22 required)"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
[ -f package-lock.json ] || die "package-lock.json is missing (run 'npm install' once to create it)"

# The marker covers the lockfile and the Node version/platform (native modules such as
# better-sqlite3 are built for one Node ABI).
LOCK_MARKER="node_modules/.jalsa-lock-hash"
lock_hash="$({ cat package-lock.json; node --version; uname -sm; } | sha256sum | cut -d' ' -f1)"

if [ -f "$LOCK_MARKER" ] && [ "$(cat "$LOCK_MARKER")" = "$lock_hash" ] && [ -f node_modules/mediasoup/package.json ]; then
  log "node_modules: up to date"
else
  # `npm ci` wipes node_modules, including a worker binary that may only live there: keep it.
  if [ -x "$WORKER_DST" ] && [ -f node_modules/mediasoup/package.json ]; then
    old_ver="$(node -p "require('./node_modules/mediasoup/package.json').version")"
    old_cached="$CACHE_ROOT/mediasoup-worker/$old_ver/mediasoup-worker"
    if [ ! -x "$old_cached" ]; then
      mkdir -p "$(dirname "$old_cached")"
      install -m 0755 "$WORKER_DST" "$old_cached.tmp.$$" && mv -f "$old_cached.tmp.$$" "$old_cached"
    fi
  fi
  log "node_modules: npm ci"
  # A non-empty MEDIASOUP_WORKER_BIN makes mediasoup's postinstall skip its download/build;
  # step c takes care of the worker.
  npm_log="$STATE_DIR/npm-install.log"
  rc=0
  MEDIASOUP_WORKER_BIN="installed-by-scripts/setup.sh" npm ci --no-audit --no-fund --loglevel=error \
    >"$npm_log" 2>&1 || rc=$?
  # `npm ci` refuses a lockfile that lacks an entry npm expects. That happens when an optional
  # dependency could not be resolved when the lock was written (e.g. vite 8's Windows-only
  # optional napi-windows-process-start-time, absent from the registry we reach). npm checks
  # this before touching node_modules; fall back to `npm install --no-save`, which installs the
  # locked versions and modifies neither package.json nor package-lock.json.
  if [ "$rc" != 0 ] && grep -q "package.json and package-lock.json or npm-shrinkwrap.json are in sync" "$npm_log"; then
    warn "npm ci: package-lock.json is not in sync with package.json ($({ grep -o 'Missing: [^ ]*' "$npm_log" || true; } | head -n 3 | tr '\n' ' ')); using npm install --no-save"
    rc=0
    MEDIASOUP_WORKER_BIN="installed-by-scripts/setup.sh" npm install --no-save --no-audit --no-fund --loglevel=error \
      >>"$npm_log" 2>&1 || rc=$?
  fi
  if [ "$rc" != 0 ]; then
    tail -n 30 "$npm_log" >&2
    die "installing node_modules failed (full log: $npm_log)"
  fi
  echo "$lock_hash" > "$LOCK_MARKER"
  log "node_modules: installed"
fi

# ---------------------------------------------------------------------------------------------
# c. mediasoup worker
# ---------------------------------------------------------------------------------------------
MS_VERSION="$(node -p "require('./node_modules/mediasoup/package.json').version")"
CACHE_DIR="$CACHE_ROOT/mediasoup-worker/$MS_VERSION"
CACHED="$CACHE_DIR/mediasoup-worker"

# Atomic copy: never leave a half-written binary where mediasoup or another run would use it.
put() { mkdir -p "$(dirname "$2")"; install -m 0755 "$1" "$2.tmp.$$"; mv -f "$2.tmp.$$" "$2"; }

# Does the binary load its libraries and start? Without MEDIASOUP_VERSION in its environment the
# worker exits with 41 (mediasoup's main.cpp); anything else means it's broken for this host.
worker_starts() { local rc=0; env -i "$1" >/dev/null 2>&1 || rc=$?; [ "$rc" = 41 ]; }

ensure_worker() {
  if [ -x "$WORKER_DST" ]; then
    log "mediasoup worker: present ($MS_VERSION)"
    return
  fi
  if [ -x "$CACHED" ]; then
    put "$CACHED" "$WORKER_DST"
    log "mediasoup worker: cached ($CACHED)"
    return
  fi

  # The normal path: mediasoup's postinstall downloads a prebuilt worker (and, failing that,
  # builds one with tools it fetches from the internet). Where only the npm registry and
  # Debian apt are reachable this fails, so it is time-boxed.
  if [ "${JALSA_SKIP_PREBUILT:-0}" != 1 ]; then
    local t="${JALSA_PREBUILT_TIMEOUT:-300}"
    log "mediasoup worker: trying mediasoup's prebuilt download (npm rebuild mediasoup, up to ${t}s)"
    local rc=0
    env -u MEDIASOUP_WORKER_BIN timeout "$t" npm rebuild mediasoup --foreground-scripts \
      >"$STATE_DIR/npm-rebuild-mediasoup.log" 2>&1 || rc=$?
    if [ -x "$WORKER_DST" ] && worker_starts "$WORKER_DST"; then
      put "$WORKER_DST" "$CACHED"
      log "mediasoup worker: prebuilt installed, cached in $CACHE_DIR"
      return
    fi
    # Remove what the failed attempt left behind (python venv, partial downloads, build dirs).
    rm -rf node_modules/mediasoup/worker/out node_modules/mediasoup/worker/prebuild \
      node_modules/mediasoup/worker/pip_invoke
    log "mediasoup worker: prebuilt not available (exit $rc, log: ${STATE_DIR#"$ROOT/"}/npm-rebuild-mediasoup.log)"
  fi

  log "mediasoup worker: building $MS_VERSION from source (takes ~4-7 min; log: ${STATE_DIR#"$ROOT/"}/build-mediasoup-worker.log)"
  local start=$SECONDS
  bash "$ROOT/scripts/build-mediasoup-worker.sh" "$MS_VERSION" "$CACHE_DIR" \
    >"$STATE_DIR/build-mediasoup-worker.log" 2>&1 \
    || { tail -n 40 "$STATE_DIR/build-mediasoup-worker.log" >&2; die "mediasoup worker build failed (full log: $STATE_DIR/build-mediasoup-worker.log)"; }
  put "$CACHED" "$WORKER_DST"
  log "mediasoup worker: built in $((SECONDS - start))s, cached in $CACHE_DIR"
}

ensure_worker

# A cached binary can go stale (e.g. a Debian library it links against changed ABI): if it no
# longer starts, throw it away and get a fresh one once.
if ! worker_starts "$WORKER_DST"; then
  warn "mediasoup worker at $WORKER_REL does not start on this host; discarding it (and the cached copy if it is the same file)"
  cmp -s "$WORKER_DST" "$CACHED" && rm -f "$CACHED"
  rm -f "$WORKER_DST"
  ensure_worker
  worker_starts "$WORKER_DST" || die "freshly obtained mediasoup worker does not start: $WORKER_DST"
fi

# ---------------------------------------------------------------------------------------------
# d. sanity: mediasoup can spawn and talk to the worker (~0.5 s)
# ---------------------------------------------------------------------------------------------
if [ -n "${MEDIASOUP_WORKER_BIN:-}" ] && [ ! -x "${MEDIASOUP_WORKER_BIN}" ]; then
  warn "MEDIASOUP_WORKER_BIN is set to '$MEDIASOUP_WORKER_BIN' (not an executable); mediasoup will try to use it at run time. Unset it."
fi
if env -u MEDIASOUP_WORKER_BIN timeout 30 node -e "
  import('mediasoup')
    .then((m) => m.createWorker({ logLevel: 'error' }))
    .then((w) => { w.close(); })
    .catch((e) => { console.error(e); process.exit(1); });
"; then
  log "mediasoup worker: ok"
else
  die "mediasoup could not start its worker ($WORKER_REL). To force a fresh one: rm -f $WORKER_REL $CACHED && npm run setup"
fi
