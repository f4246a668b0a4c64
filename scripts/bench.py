"""Process-level figures for BENCHMARKS.md, measured in one run on this machine:
palisade build/validate/diff of the orders example, peak memory, the AWS SAM
translator on the same service (benches/sam/orders.yaml) as a ratio, and
whole builds of synthetic services of 10 to 2,000 functions (the growth curve).

Usage: bench.py PALISADE_BINARY SYNTHETIC_ROOT
  (scripts/bench.sh passes the release build and the directory it wrote the
  synthetic services to, one subdirectory per size)
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = 100


def run_ms(argv, env=None, rounds=ROUNDS):
    """Median wall-clock milliseconds of a command over `rounds` runs."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


SIZES = [10, 100, 1000, 2000]


def peak_rss_mb(argv):
    """Peak resident memory of one run of a command, in MB (its own rusage,
    from wait4, not the running maximum over all children)."""
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, argv)
    return usage.ru_maxrss / 1024


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
    palisade, synthetic = sys.argv[1], sys.argv[2]
    out = tempfile.mkdtemp(prefix="palisade-bench-")
    spec = "examples/orders/palisade.yaml"
    build = [palisade, "build", spec, "--target", "all", "--out", out]
    env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1")
    # Builds reuse unchanged zips (the package cache); warm it first, as a
    # developer's second build would.
    subprocess.run(build, check=True, stderr=subprocess.DEVNULL)
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
    print(f"| palisade build orders, peak RSS | {peak_rss_mb(build):.1f} MB |")
    palisade_build = figures[1][1]
    print()
    print(f"SAM translator (process) / palisade build (process): {sam_process / palisade_build:.0f}x")
    print()
    print("| synthetic service | resources | build (process, median) | per function | peak RSS |")
    print("|---|---|---|---|---|")
    for size in SIZES:
        spec = os.path.join(synthetic, str(size), "palisade.yaml")
        dist = os.path.join(synthetic, str(size), "dist")
        argv = [palisade, "build", spec, "--out", dist]
        subprocess.run(argv, check=True, stderr=subprocess.DEVNULL)
        ms = run_ms(argv, rounds=10 if size >= 1000 else ROUNDS)
        resources = count_resources(os.path.join(dist, "cloudformation", "template.yaml"))
        rss = peak_rss_mb(argv)
        print(f"| {size} functions | {resources} | {ms:.1f} ms | {ms / size * 1000:.0f} µs | {rss:.0f} MB |")


def count_resources(template):
    """Logical IDs under `Resources:` (two-space indented keys)."""
    count, inside = 0, False
    with open(template) as text:
        for line in text:
            if not line.startswith(" "):
                inside = line.startswith("Resources:")
            elif inside and line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
                count += 1
    return count


if __name__ == "__main__":
    main()
