#!/usr/bin/env bash
# The escape hatch's checks must hold in the binary users install: a
# `debug_assert!` would vanish from a release build. Build the release binary
# and feed it every weakening override of tests/corpus/overrides/hostile.txt
# (Terraform key injection included): each build must exit 2 and write
# nothing. `cargo test` covers the same corpus with the debug binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --locked --quiet
bin="target/release/palisade"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
trim() { sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<<"$1"; }

status=0
count=0
while IFS= read -r line; do
  [[ -z "${line}" || "${line}" == \#* ]] && continue
  target="$(trim "${line%%|*}")"
  rest="${line#*|}"
  address="$(trim "${rest%%|*}")"
  patch="$(trim "${rest#*|}")"
  service="${work}/svc"
  rm -rf "${service}"
  mkdir -p "${service}"
  cp -R examples/orders/. "${service}/"
  rm -rf "${service}/dist" "${service}/.palisade"
  printf 'overrides:\n  %s:\n    %s: %s\n' "${target}" "${address}" "${patch}" >>"${service}/palisade.yaml"
  count=$((count + 1))
  set +e
  "${bin}" build "${service}/palisade.yaml" >/dev/null 2>"${work}/stderr"
  code=$?
  set -e
  if [[ ${code} -ne 2 || -e "${service}/dist" ]]; then
    echo "release binary accepted a weakening override (exit ${code}): ${target} ${address} ${patch}" >&2
    sed 's/^/  /' "${work}/stderr" >&2
    status=1
  fi
done <tests/corpus/overrides/hostile.txt
echo "release binary: ${count} weakening overrides refused"
exit "${status}"
