"""Process-level figures for BENCHMARKS.md, measured in one run on this machine:
palisade build/validate/diff of the orders example, peak memory, and the AWS
SAM translator on the same service (benches/sam/orders.yaml), as a ratio.

Usage: bench.py PALISADE_BINARY   (scripts/bench.sh passes the release build)
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = 30


def run_ms(argv, env=None, rounds=ROUNDS):
    """Median wall-clock milliseconds of a command over `rounds` runs."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def peak_rss_mb(argv):
    """Peak resident memory of a command, in MB. RUSAGE_CHILDREN keeps the
    largest child so far, so this must run before any other child."""
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


SAM_IN_PROCESS = """
import statistics, time
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
text = open('benches/sam/orders.yaml').read()
class Loader:
    def load(self): return {}
samples = []
for _ in range(%d):
    start = time.perf_counter()
    transform(yaml_parse(text), {"AWS::Region": "us-east-1"}, Loader())
    samples.append((time.perf_counter() - start) * 1000)
print(statistics.median(samples))
"""

SAM_ONCE = """
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
class Loader:
    def load(self): return {}
transform(yaml_parse(open('benches/sam/orders.yaml').read()), {"AWS::Region": "us-east-1"}, Loader())
"""


def main():
    palisade = sys.argv[1]
    out = tempfile.mkdtemp(prefix="palisade-bench-")
    spec = "examples/orders/palisade.yaml"
    build = [palisade, "build", spec, "--target", "all", "--out", out]
    rss = peak_rss_mb(build)
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1")
    figures = [
        ("palisade validate orders (process)", run_ms([palisade, "validate", spec])),
        ("palisade build orders, both targets (process)", run_ms(build)),
        ("palisade diff orders vs changed, both targets (process)", run_ms([palisade, "diff", spec, "tests/diff/orders-changed.yaml", "--format", "json"])),
    ]
    sam_process = run_ms([sys.executable, "-c", SAM_ONCE], env=env, rounds=10)
    sam_in_process = float(
        subprocess.run([sys.executable, "-c", SAM_IN_PROCESS % 20], env=env, check=True, capture_output=True, text=True).stdout
    )
    figures.append(("aws-sam-translator transform orders (process)", sam_process))
    figures.append(("aws-sam-translator transform orders (in-process)", sam_in_process))
    print("| measurement | median |")
    print("|---|---|")
    for name, ms in figures:
        print(f"| {name} | {ms:.2f} ms |")
    print(f"| palisade build orders, peak RSS | {rss:.1f} MB |")
    palisade_build = figures[1][1]
    print()
    print(f"SAM translator (process) / palisade build (process): {sam_process / palisade_build:.0f}x")


if __name__ == "__main__":
    main()
