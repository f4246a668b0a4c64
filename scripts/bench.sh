#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: per-stage benchmarks (divan) and process-level
# figures with the side-by-side AWS SAM translator run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv="$(scripts/validators.sh)"
cargo bench --locked --bench compile
cargo build --release --locked --quiet
"${venv}/bin/python" scripts/bench.py target/release/palisade
