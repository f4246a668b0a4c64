#!/usr/bin/env bash
# The scanner gate: build every example, and a service fresh from
# `palisade init`, with the debug binary (`cargo test` has just built it), both targets from one build, and
# fail on any cfn-lint error or warning, any failed checkov check
# (CloudFormation or Terraform), any unsuppressed cdk-nag AwsSolutions error,
# any unsuppressed failure of an AWS Guard Rules Registry rule (see
# scripts/scan-cloudformation.sh), or any Terraform file that `terraform fmt`
# would change. cdk-nag and cfn-guard read CloudFormation only; checkov reads
# both targets. Then scripts/scan-large.sh: a generated 1,000-function
# service as nested stacks, every template within CloudFormation's limits,
# cfn-lint and checkov clean.
# Env: PALISADE_SCAN_PROFILE (default release; `dev` scans a debug build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --locked --quiet
out="target/scan"
rm -rf "${out}"
status=0
# A service as `palisade init` scaffolds it, with every feature and a deploy role.
init_service="${out}/sources/init-demo"
target/debug/palisade init demo --dir "${init_service}" \
  --with api,table,queue,bucket,schedule,secret --github example-org/demo
# The same with a REST API (AWS WAF, a client's usage plan and API key).
init_rest="${out}/sources/init-rest"
target/debug/palisade init demo --dir "${init_rest}" \
  --with api,table,queue,bucket,schedule,secret --api rest --github example-org/demo
for spec in examples/*/palisade.yaml "${init_service}/palisade.yaml" "${init_rest}/palisade.yaml"; do
  name="$(basename "$(dirname "${spec}")")"
  target/debug/palisade build "${spec}" --target all --out "${out}/${name}"
  scripts/scan-cloudformation.sh "${out}/${name}/cloudformation/template.yaml" || status=1
  scripts/scan-terraform.sh "${out}/${name}/terraform" || status=1
  scripts/terraform-fmt-check.sh "${out}/${name}/terraform" || status=1
done
# A 1,000-function service: a root and nested stacks, each within
# CloudFormation's limits and clean for cfn-lint and checkov.
scripts/scan-large.sh 1000 || status=1
exit "${status}"
