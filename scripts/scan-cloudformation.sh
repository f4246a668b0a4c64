#!/usr/bin/env bash
# Scan CloudFormation templates with the four pinned referees: cfn-lint,
# checkov, cdk-nag (AwsSolutions pack, through aws-cdk-lib's CfnInclude) and
# cfn-guard 3.2.1 with the AWS Guard Rules Registry (tests/data/guard-rules:
# every rule under rules/aws, reported also per framework set).
#
# Usage: scripts/scan-cloudformation.sh TEMPLATE...
#
# Fails (exit 1) on any cfn-lint error or warning, on any failed checkov
# check, on a checkov parse error, or when checkov ran no check at all, on
# any unsuppressed cdk-nag error, and on any registry rule that fails
# unsuppressed. Suppressions are the ones Palisade writes in `Metadata`
# (`checkov`, `cdk_nag`, `guard`), each listed with its reason in SECURITY.md.
# Everything runs offline (no checkov mapping download, no update check).
# Env: CFN_LINT_REGIONS (space-separated, default us-east-1).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 TEMPLATE..." >&2
  exit 2
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
venv="$("${script_dir}/validators.sh" | tail -n 1)"
cdk_nag="$("${script_dir}/cdk-nag-validators.sh" | tail -n 1)"
cfn_guard="$("${script_dir}/guard-validators.sh" | tail -n 1)"

# Offline checkov: no Prisma/Bridgecrew guideline mapping, no PyPI update
# check, no telemetry upload (no API key is ever given).
export BC_SKIP_MAPPING=TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
export LOG_LEVEL="${CHECKOV_LOG_LEVEL:-WARNING}"

status=0
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

read -r -a regions <<<"${CFN_LINT_REGIONS:-us-east-1}"

for template in "$@"; do
  if [[ ! -f "${template}" ]]; then
    echo "scan-cloudformation: no such file: ${template}" >&2
    exit 2
  fi
  echo "== cfn-lint ${template}"
  if "${venv}/bin/cfn-lint" --non-zero-exit-code warning --regions "${regions[@]}" -- "${template}"; then
    echo "cfn-lint summary: no errors or warnings"
  else
    echo "cfn-lint summary: FAILED (errors or warnings above)"
    status=1
  fi

  echo "== checkov ${template}"
  # checkov 3.3.30 resolves some `Ref` values in Lambda environments to the
  # template's own path, and CKV_AWS_45 then takes a long path for a
  # high-entropy secret. Scan a copy under a short path so the result does not
  # depend on where the template lives.
  scanned="${tmp}/template.${template##*.}"
  cp "${template}" "${scanned}"
  # checkov's own exit code is ignored; checkov-report.py decides from JSON.
  "${venv}/bin/checkov" -f "${scanned}" --framework cloudformation \
    --skip-download -o json >"${tmp}/checkov.json" 2>"${tmp}/checkov.err" || true
  if ! "${venv}/bin/python" "${script_dir}/checkov-report.py" "${tmp}/checkov.json" cloudformation; then
    status=1
    [[ -s "${tmp}/checkov.err" ]] && cat "${tmp}/checkov.err" >&2
  fi

  echo "== cdk-nag ${template}"
  CDK_NAG_VALIDATORS="${cdk_nag}" node "${script_dir}/cdk-nag/check.mjs" "${template}" || status=1
done

# One run over all templates: the rule sets are read once.
"${venv}/bin/python" "${script_dir}/guard-report.py" "${cfn_guard}" \
  "${repo_root}/tests/data/guard-rules" "$@" || status=1

exit "${status}"
