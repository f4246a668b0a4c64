#!/usr/bin/env bash
# Create or reuse <repo>/.venv-emulator/ with moto's server, pinned, for the
# `deploy` tests (tests/deploy.rs), which start `moto_server` on 127.0.0.1
# themselves. Same scheme as scripts/validators.sh: a stamp of the pin and
# the interpreter version; pip runs only when it changes.
#
# Usage: scripts/emulator.sh        Env: PYTHON (default python3), EMULATOR_VENV
# Prints the path of the moto_server executable on stdout.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
venv="${EMULATOR_VENV:-${repo_root}/.venv-emulator}"
python="${PYTHON:-python3}"
# moto's server; the tests record this version in their failure messages.
pin="moto[server]==5.2.6"
stamp="${venv}/.palisade-emulator"

log() { printf 'emulator: %s\n' "$*" >&2; }

command -v "${python}" >/dev/null 2>&1 || { log "error: ${python} not found"; exit 2; }
py_version="$("${python}" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
want="${pin} python ${py_version}"

healthy() {
  [[ -x "${venv}/bin/moto_server" && -f "${stamp}" && "$(cat "${stamp}")" == "${want}" ]]
}
if healthy; then echo "${venv}/bin/moto_server"; exit 0; fi

# Parallel test processes may call this at once.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/palisade-emulator-$(printf '%s' "${venv}" | sha256sum | cut -c1-16).lock"
  flock 9
  if healthy; then echo "${venv}/bin/moto_server"; exit 0; fi
fi

rm -rf "${venv}"
log "creating ${venv} (${pin})"
"${python}" -m venv "${venv}"
"${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${pin}" >&2
echo "${want}" >"${stamp}"
echo "${venv}/bin/moto_server"
