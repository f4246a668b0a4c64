#!/usr/bin/env python3
"""Times two palisade binaries side by side on one spec, interleaved (A, B,
A, B, ...), so that a busy machine slows both alike and their ratio stays
meaningful. Each run is a whole `palisade build SPEC --out DIR` process with
its output current and zips cached (one warm-up build each), as
scripts/bench.py times builds.

Usage: scripts/bench-ab.py OLD_BINARY NEW_BINARY SPEC RUNS
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    old, new, spec, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with tempfile.TemporaryDirectory() as out:
        commands = {
            binary: [binary, "build", spec, "--out", os.path.join(out, str(i))]
            for i, binary in enumerate((old, new))
        }
        for command in commands.values():
            subprocess.run(command, check=True, capture_output=True)
        times = {old: [], new: []}
        loads = []
        for _ in range(runs):
            for binary in (old, new):
                start = time.perf_counter()
                subprocess.run(commands[binary], check=True, capture_output=True)
                times[binary].append((time.perf_counter() - start) * 1000)
            loads.append(os.getloadavg()[0])
    for binary in (old, new):
        ts = sorted(times[binary])
        print(f"{binary}: median {statistics.median(ts):.1f} ms "
              f"(min {ts[0]:.1f}, max {ts[-1]:.1f}, {runs} runs)")
    print(f"load average during the run: {min(loads):.2f}-{max(loads):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
