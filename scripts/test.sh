#!/usr/bin/env bash
# Everything CI checks, in one command: formatting, lints, the test suite,
# and the public scanners over every example's generated output.
# Installs what it needs (the pinned Python validators) on a fresh machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PALISADE_VALIDATORS_VENV
PALISADE_VALIDATORS_VENV="$(scripts/validators.sh)"

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
scripts/graph-validators.sh >/dev/null  # Graphviz and Mermaid's parser, for tests/graph.rs
cargo test --locked
scripts/scan-examples.sh
