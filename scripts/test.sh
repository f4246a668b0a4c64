#!/usr/bin/env bash
# Everything CI checks, in one command: formatting, lints, the test suite,
# and the public scanners over every example's generated output.
# Installs what it needs on a fresh machine: the pinned Python validators
# (scripts/validators.sh, into .venv-validators/), Graphviz (apt-get, when
# root), Mermaid's parser (npm ci, into .node-validators/) and the pinned AWS
# emulator for the deploy tests (scripts/emulator.sh, into .venv-emulator/).
#
# Ends with one line, `N passed, N failed`: every cargo test, plus one each
# for rustfmt, clippy, the scanner gate and the release-binary override check. Exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PALISADE_VALIDATORS_VENV
PALISADE_VALIDATORS_VENV="$(scripts/validators.sh)"
scripts/graph-validators.sh >/dev/null # Graphviz and Mermaid's parser, for tests/graph.rs
scripts/emulator.sh >/dev/null # moto's server, for tests/deploy.rs (which fail without it under CI)

passed=0
failed=0
# One check that passes or fails as a whole.
check() {
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $*" >&2
  fi
}

check cargo fmt --all -- --check
check cargo clippy --all-targets --locked -- -D warnings

# Every test of every binary runs (no fail-fast); the counts come from
# cargo's `test result:` lines.
log="$(mktemp)"
trap 'rm -f "${log}"' EXIT
set +e
cargo test --locked --no-fail-fast 2>&1 | tee "${log}"
tests_status=${PIPESTATUS[0]}
set -e
read -r test_passed test_failed < <(
  sed -nE 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "${log}" |
    awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }'
)
passed=$((passed + test_passed))
failed=$((failed + test_failed))
if [[ ${tests_status} -ne 0 && ${test_failed} -eq 0 ]]; then
  # cargo failed without a failing test: it did not compile, or a binary crashed.
  failed=$((failed + 1))
  echo "FAILED: cargo test (exit ${tests_status})" >&2
fi

check scripts/scan-examples.sh
# The override checks hold in the release binary too (no debug-only asserts).
check scripts/release-overrides.sh

echo "${passed} passed, ${failed} failed"
[[ ${failed} -eq 0 ]]
