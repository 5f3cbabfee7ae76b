#!/usr/bin/env bash
# Installs what the end-to-end tests need, offline except for the npm registry and Debian:
# Debian's Chromium and ripgrep, the native build dependencies, and code-server 4.100.3 (VS Code
# 1.100.3, the last release that runs on Node 20) into .cache/code-server, outside the project's
# own node_modules because it is large. Safe to run again: finished steps are detected and skipped.
#
# Why the install is done by hand: code-server's install scripts fetch a ripgrep binary from the
# internet (unreachable here), so packages are installed with scripts off and the few steps that
# matter (native rebuilds, links) are repeated here. See /work/shared/docs/E2E.md.
#
# Environment: E2E_CACHE overrides the cache folder; E2E_SKIP_APT=1 skips the Debian packages.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${E2E_CACHE:-$ROOT/.cache/code-server}"
CS="$CACHE/node_modules/code-server"
VSCODE="$CS/lib/vscode"
DONE_MARKER="$CACHE/.installed-$CODE_SERVER_VERSION"

step() { printf '\n[e2e-setup] %s\n' "$*"; }
started=$(date +%s)

# --- Debian packages -------------------------------------------------------------------------
apt_packages=(chromium ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev build-essential python3 pkg-config)
if [ "${E2E_SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "[e2e-setup] missing Debian packages (${missing[*]}); run as root or install them first" >&2
      exit 1
    fi
    step "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    step "Debian packages present: ${apt_packages[*]}"
  fi
fi
for tool in /usr/bin/chromium /usr/bin/rg; do
  [ -x "$tool" ] || { echo "[e2e-setup] $tool is missing" >&2; exit 1; }
done

# --- code-server -------------------------------------------------------------------------------
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "[e2e-setup] $tool is missing: install Node 20 (code-server 4.100.3 needs it)" >&2; exit 1; }
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  echo "[e2e-setup] warning: Node $node_major; code-server $CODE_SERVER_VERSION is built for Node 20 and its native modules follow the running Node" >&2
fi

# code-server writes a default config.yaml (with a generated password) into $XDG_CONFIG_HOME even for
# --version: keep it in the cache, not in the user's home.
entry_version() {
  XDG_CONFIG_HOME="$CACHE/xdg-config" node "$CS/out/node/entry.js" --version 2>/dev/null \
    | grep -E "^$CODE_SERVER_VERSION " | head -n 1 || true
}

if [ -f "$DONE_MARKER" ] && entry_version | grep -q "^$CODE_SERVER_VERSION "; then
  step "code-server $CODE_SERVER_VERSION already installed in $CACHE: $(entry_version)"
  exit 0
fi

# node-gyp downloads Node's headers from nodejs.org unless told where they are: use the installed
# Node's own headers (Debian's and NodeSource's packages ship them in <prefix>/include/node).
node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if [ -z "${npm_config_nodedir:-}" ]; then
  if [ -f "$node_prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$node_prefix"
  else
    echo "[e2e-setup] warning: no Node headers in $node_prefix/include/node; node-gyp will try to download them" >&2
  fi
fi

# code-server's own install script (which refuses to run as root without npm_config_unsafe_perm)
# is never run: --ignore-scripts below, and the steps it would do are done here instead.
export npm_config_fund=false
export npm_config_audit=false
export npm_config_update_notifier=false

mkdir -p "$CACHE"
# Without a package.json here npm would walk up and install into the project's node_modules.
if [ ! -f "$CACHE/package.json" ]; then
  printf '{\n  "name": "e2e-code-server-cache",\n  "private": true\n}\n' > "$CACHE/package.json"
fi

if [ ! -f "$CS/package.json" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS/package.json"; then
  step "npm install --ignore-scripts code-server@$CODE_SERVER_VERSION (into $CACHE)"
  (cd "$CACHE" && npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION")
else
  step "code-server $CODE_SERVER_VERSION package present"
fi

step "VS Code runtime dependencies (lib/vscode)"
(cd "$VSCODE" && npm install --omit=dev --ignore-scripts)

step "ripgrep: Debian's /usr/bin/rg in place of the download"
mkdir -p "$VSCODE/node_modules/@vscode/ripgrep/bin"
cp -f /usr/bin/rg "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"

step "native modules of lib/vscode (heavy: compiles C++)"
(cd "$VSCODE" && npm_config_yes=true npm rebuild kerberos @parcel/watcher node-pty @vscode/spdlog native-watchdog @vscode/deviceid)

step "links made by code-server's postinstall.sh"
(cd "$VSCODE" && ln -sfn node_modules node_modules.asar)
(cd "$VSCODE/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$VSCODE/bin/helpers" && ln -sfn browser-linux.sh browser.sh)

step "built-in extensions' dependencies (lib/vscode/extensions)"
(cd "$VSCODE/extensions" && npm install --omit=dev --ignore-scripts)

step "argon2 (code-server's password hashing, native)"
(cd "$CACHE" && npm rebuild argon2)

version="$(entry_version)"
if ! printf '%s\n' "$version" | grep -q "^$CODE_SERVER_VERSION "; then
  echo "[e2e-setup] code-server did not start: '$version'" >&2
  exit 1
fi
touch "$DONE_MARKER"
step "done in $(( $(date +%s) - started )) s: $version"
