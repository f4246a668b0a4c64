#!/usr/bin/env bash
# The scanner gate: build every example with the release binary and fail on
# any cfn-lint error or warning or any failed checkov check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --locked --quiet
out="target/scan"
rm -rf "${out}"
status=0
for spec in examples/*/palisade.yaml; do
  name="$(basename "$(dirname "${spec}")")"
  target/release/palisade build "${spec}" --target cloudformation --out "${out}/${name}"
  scripts/scan-cloudformation.sh "${out}/${name}/cloudformation/template.yaml" || status=1
done
exit "${status}"
