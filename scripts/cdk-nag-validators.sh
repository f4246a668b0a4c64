#!/usr/bin/env bash
# Install cdk-nag with the aws-cdk-lib and constructs it runs on (pinned in
# scripts/cdk-nag/package-lock.json) into <repo>/.cdk-nag-validators/ with
# `npm ci`, as scripts/graph-validators.sh installs Mermaid's parser.
#
# Idempotent and fast when already installed: a stamp records the lock file's
# sha256 and the Node version; npm runs only when that differs.
#
# Usage: scripts/cdk-nag-validators.sh
# Env:   CDK_NAG_VALIDATORS (default <repo>/.cdk-nag-validators)
# Prints the directory on stdout; progress goes to stderr.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
src="${script_dir}/cdk-nag"
dir="${CDK_NAG_VALIDATORS:-${repo_root}/.cdk-nag-validators}"
stamp="${dir}/.palisade-lock.sha256"

log() { printf 'cdk-nag-validators: %s\n' "$*" >&2; }

for tool in node npm; do
  if ! command -v "${tool}" >/dev/null 2>&1; then
    log "error: ${tool} not found"; exit 2
  fi
done

want="$( { sha256sum "${src}/package-lock.json" | cut -d' ' -f1; node --version; } )"
healthy() {
  [[ -f "${stamp}" ]] && [[ "$(cat "${stamp}")" == "${want}" ]] \
    && [[ -d "${dir}/node_modules/cdk-nag" ]] && [[ -d "${dir}/node_modules/aws-cdk-lib" ]]
}
if healthy; then
  echo "${dir}"
  exit 0
fi

# Serialise installs: parallel callers may run this at once.
if command -v flock >/dev/null 2>&1; then
  lock="${TMPDIR:-/tmp}/palisade-cdk-nag-$(printf '%s' "${dir}" | sha256sum | cut -c1-16).lock"
  exec 9>"${lock}"
  flock 9
  if healthy; then
    echo "${dir}"
    exit 0
  fi
fi

log "installing the pinned cdk-nag into ${dir}"
mkdir -p "${dir}"
# Keep it out of git without a repo .gitignore entry.
printf '# created by scripts/cdk-nag-validators.sh\n*\n' > "${dir}/.gitignore"
rm -f "${stamp}"
cp "${src}/package.json" "${src}/package-lock.json" "${dir}/"
# --ignore-scripts: nothing here needs an install script.
(cd "${dir}" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
printf '%s\n' "${want}" > "${stamp}"
log "ready: ${dir}"
echo "${dir}"
