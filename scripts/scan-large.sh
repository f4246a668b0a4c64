#!/usr/bin/env bash
# The scanner gate for a large service (issue 17): the benchmarks' synthetic
# service of N functions (default 1000; `cargo run --example synthetic-spec`,
# so no generated spec is committed) is built into a root template and
# nested stacks, and every template file, root and children, must hold at
# most 500 resources and 1 MB (CloudFormation's limits), pass cfn-lint with
# no error or warning, and fail no checkov check. The orders example, pinned
# to nested stacks (`nested_stacks:`), is scanned the same way: it has every
# kind of event that crosses stacks (a bucket notifying a function, a topic,
# a stream, a queue, a schedule).
#
# cdk-nag and the Guard registry are left to the examples (scan-examples.sh):
# the children hold the same resources the examples do, and those two take
# minutes per file. cfn-lint reads all templates in one process and checkov
# scans the directory once.
#
# Usage: scripts/scan-large.sh [FUNCTIONS]
# Env:   PALISADE_VALIDATORS_VENV (default: scripts/validators.sh installs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

functions="${1:-1000}"
venv="${PALISADE_VALIDATORS_VENV:-$(scripts/validators.sh | tail -n 1)}"
export BC_SKIP_MAPPING=TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
export LOG_LEVEL="${CHECKOV_LOG_LEVEL:-WARNING}"
root="target/scan-large"
rm -rf "${root}"
cargo build --locked --quiet
status=0

# CloudFormation refuses more than 500 resources or 1 MB (from S3).
sizes='
import os, sys, yaml

class Loader(yaml.SafeLoader):
    pass

# Short-form tags do not occur in Palisade output; read any as plain data.
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
failed = 0
largest = (0, 0)
for path in sys.argv[1:]:
    size = os.path.getsize(path)
    with open(path, encoding="utf-8") as f:
        resources = len(yaml.load(f, Loader=Loader)["Resources"])
    largest = (max(largest[0], resources), max(largest[1], size))
    if resources > 500 or size > 1_000_000:
        print(f"TOO LARGE {path}: {resources} resources, {size} bytes")
        failed = 1
print(f"sizes: at most {largest[0]} resources and {largest[1]} bytes per template")
sys.exit(failed)
'

# Scans the CloudFormation a build wrote to DIST: sizes, cfn-lint, checkov.
scan() {
  local dist="$1"
  local templates=("${dist}/cloudformation/template.yaml" "${dist}/cloudformation/stacks/"*.yaml)
  echo "== ${dist}: ${#templates[@]} templates"
  "${venv}/bin/python" -c "${sizes}" "${templates[@]}" || status=1
  # cfn-lint is single-threaded and takes most of the gate's time on a
  # large service: one process per core, each on its share of the files.
  local jobs
  jobs="$(nproc)"
  local per=$(((${#templates[@]} + jobs - 1) / jobs))
  echo "== cfn-lint (${#templates[@]} files, ${jobs} processes)"
  if printf '%s\0' "${templates[@]}" | xargs -0 -n "${per}" -P "${jobs}" \
    "${venv}/bin/cfn-lint" --non-zero-exit-code warning --regions us-east-1 --; then
    echo "cfn-lint summary: no errors or warnings"
  else
    echo "cfn-lint summary: FAILED (errors or warnings above)"
    status=1
  fi
  echo "== checkov (${#templates[@]} files)"
  "${venv}/bin/checkov" -d "${dist}/cloudformation" --framework cloudformation \
    --skip-download -o json >"${dist}/checkov.json" 2>"${dist}/checkov.err" || true
  # Thousands of SKIPPED lines (the suppressions SECURITY.md lists) would
  # bury the result: print the failures and the summary only.
  local report=0
  "${venv}/bin/python" scripts/checkov-report.py "${dist}/checkov.json" cloudformation \
    >"${dist}/checkov.txt" || report=$?
  grep -v '^SKIPPED' "${dist}/checkov.txt" || true
  if [[ "${report}" -ne 0 ]]; then
    status=1
    [[ -s "${dist}/checkov.err" ]] && cat "${dist}/checkov.err" >&2
  fi
}

mkdir -p "${root}/orders"
cp -r examples/orders/src examples/orders/palisade.yaml "${root}/orders/"
printf 'nested_stacks: { functions: 2, data: 2 }\n' >>"${root}/orders/palisade.yaml"
target/debug/palisade build "${root}/orders/palisade.yaml" --target cloudformation --out "${root}/orders/dist"
scan "${root}/orders/dist"

cargo run --locked --quiet --example synthetic-spec -- "${functions}" "${root}/${functions}"
target/debug/palisade build "${root}/${functions}/palisade.yaml" --target cloudformation --out "${root}/${functions}/dist"
scan "${root}/${functions}/dist"
exit "${status}"
