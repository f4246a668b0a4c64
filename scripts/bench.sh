#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: per-stage benchmarks (divan) and process-level
# figures with the side-by-side AWS SAM translator run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv="$(scripts/validators.sh)"
cargo bench --locked --bench compile
cargo bench --locked --bench diff
cargo build --profile bench --locked --quiet
synthetic=target/bench/synthetic
for size in 10 100 1000 2000; do
    cargo run --locked --quiet --example synthetic-spec -- "$size" "$synthetic/$size"
done
"${venv}/bin/python" scripts/bench.py target/release/palisade "$synthetic"
