#!/usr/bin/env bash
# Install cfn-guard 3.2.1 from crates.io (`cargo install --locked`) into a
# cache directory outside the clone, so that every clone and CI run on this
# machine reuse one build instead of compiling it each time (a few minutes).
#
# Idempotent: when the binary is there and reports the pinned version,
# nothing is built.
#
# Usage: scripts/guard-validators.sh
# Env:   PALISADE_TOOLS (default ${XDG_CACHE_HOME:-$HOME/.cache}/palisade-tools)
# Prints the path of the cfn-guard binary on stdout; progress goes to stderr.
set -euo pipefail

version="3.2.1"
tools="${PALISADE_TOOLS:-${XDG_CACHE_HOME:-${HOME}/.cache}/palisade-tools}"
root="${tools}/cfn-guard-${version}"
bin="${root}/bin/cfn-guard"

log() { printf 'guard-validators: %s\n' "$*" >&2; }

healthy() {
  [[ -x "${bin}" ]] && [[ "$("${bin}" --version 2>/dev/null)" == "cfn-guard ${version}" ]]
}
if healthy; then
  echo "${bin}"
  exit 0
fi

if ! command -v cargo >/dev/null 2>&1; then
  log "error: cargo not found"; exit 2
fi

# Serialise installs: parallel callers may run this at once.
mkdir -p "${tools}"
if command -v flock >/dev/null 2>&1; then
  exec 9>"${tools}/.cfn-guard-${version}.lock"
  flock 9
  if healthy; then
    echo "${bin}"
    exit 0
  fi
fi

log "building cfn-guard ${version} into ${root} (once per machine)"
build="$(mktemp -d)"
trap 'rm -rf "${build}"' EXIT
# Its own target directory: never the project's, never a shared one.
CARGO_TARGET_DIR="${build}" cargo install cfn-guard --version "${version}" --locked \
  --root "${root}" --quiet >&2
healthy || { log "error: ${bin} does not report cfn-guard ${version}"; exit 1; }
log "ready: ${bin}"
echo "${bin}"
