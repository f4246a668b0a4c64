#!/usr/bin/env bash
# Scan a Terraform directory with the pinned checkov (offline).
#
# Usage: scripts/scan-terraform.sh DIR
#
# Fails (exit 1) on any failed checkov check, on a parse error, or when
# checkov ran no check at all. External modules are never downloaded.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir="$1"
if [[ ! -d "${dir}" ]]; then
  echo "scan-terraform: no such directory: ${dir}" >&2
  exit 2
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$("${script_dir}/validators.sh" | tail -n 1)"

export BC_SKIP_MAPPING=TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
export LOG_LEVEL="${CHECKOV_LOG_LEVEL:-WARNING}"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

echo "== checkov ${dir}"
"${venv}/bin/checkov" -d "${dir}" --framework terraform \
  --skip-download --download-external-modules false -o json \
  >"${tmp}/checkov.json" 2>"${tmp}/checkov.err" || true
if ! "${venv}/bin/python" "${script_dir}/checkov-report.py" "${tmp}/checkov.json" terraform; then
  [[ -s "${tmp}/checkov.err" ]] && cat "${tmp}/checkov.err" >&2
  exit 1
fi
