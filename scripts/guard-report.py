#!/usr/bin/env python3
"""Run cfn-guard with the vendored AWS Guard Rules Registry over templates.

Usage: guard-report.py CFN_GUARD RULES_DIR TEMPLATE...

RULES_DIR is tests/data/guard-rules: every rule file under rules/aws is
evaluated, and the results are also reported for the registry's framework
sets (mappings/rule_set_*.json, listed in SETS below; files whose first line
contains `## SKIP` are left out, as the registry's own build does). Each rule
file is evaluated on its own either way, so a set's result is the result of
its files.

Each template is evaluated twice: as written, and without its
`Metadata.guard` suppressions. Failures of the second run that the first
does not have are the suppressed ones; they are counted, never hidden.

Exits 1 when any rule fails unsuppressed on any template, 2 when cfn-guard
cannot run or a set names a rule file that is not there; 0 otherwise.
Summary lines avoid the "N passed, N failed" shape on purpose (CI log readers
take that for a test runner's result).
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

SETS = [
    ("NIST 800-53 rev5", "rule_set_nist800_53rev5.json"),
    ("CIS AWS Benchmark L1", "rule_set_cis_aws_benchmark_level_1.json"),
    ("CIS AWS Benchmark L2", "rule_set_cis_aws_benchmark_level_2.json"),
    ("Well-Architected Security", "rule_set_wa-Security-Pillar.json"),
    ("PCI DSS 3.2.1", "rule_set_pci_dss_3_2_1.json"),
]

RULE = re.compile(r"^\s*rule\s+([A-Za-z0-9_]+)", re.MULTILINE)
RESOURCE = re.compile(r"^/Resources/([^/\[]+)")


def rules_of(path):
    with open(path, encoding="utf-8") as f:
        return set(RULE.findall(f.read()))


def skipped(path):
    with open(path, encoding="utf-8") as f:
        return "## SKIP" in f.readline()


def load_sets(root):
    files = sorted(glob.glob(os.path.join(root, "rules", "aws", "**", "*.guard"), recursive=True))
    sets = [("registry rules/aws", set().union(*(rules_of(f) for f in files)))]
    for label, mapping in SETS:
        with open(os.path.join(root, "mappings", mapping), encoding="utf-8") as f:
            entries = json.load(f)["mappings"]
        names = set()
        for entry in entries:
            path = os.path.join(root, entry["guardFilePath"])
            if not os.path.isfile(path):
                sys.exit(f"guard: {mapping} names {entry['guardFilePath']}, which is not vendored")
            if not skipped(path):
                names |= rules_of(path)
        sets.append((label, names))
    return files, sets


def resources(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "path" and isinstance(value, str):
                m = RESOURCE.match(value)
                if m:
                    found.add(m.group(1))
            else:
                resources(value, found)
    elif isinstance(node, list):
        for value in node:
            resources(value, found)
    return found


def evaluate(guard, rules_dir, template):
    """{rule: status} and {rule: failing resources} for one JSON template."""
    run = subprocess.run(
        [guard, "validate", "-r", rules_dir, "-d", template, "-o", "json", "-z", "--show-summary", "none"],
        capture_output=True,
        text=True,
        check=False,
    )
    # 0: all compliant; 19: some rule failed. Anything else is cfn-guard failing.
    if run.returncode not in (0, 19):
        sys.stderr.write(run.stderr)
        sys.exit(f"guard: cfn-guard exited {run.returncode} on {template}")
    (report,) = json.loads(run.stdout)
    status = {}
    failing = {}
    for name in report["compliant"]:
        status[name] = "pass"
    for name in report["not_applicable"]:
        status[name] = "skip"
    for item in report["not_compliant"]:
        name = item["Rule"]["name"]
        status[name] = "fail"
        failing[name] = sorted(resources(item, set()))
    return status, failing


def main():
    guard, root, templates = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not templates:
        sys.exit("usage: guard-report.py CFN_GUARD RULES_DIR TEMPLATE...")
    rules_dir = os.path.join(root, "rules", "aws")
    _, sets = load_sets(root)
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        for template in templates:
            print(f"== cfn-guard {template}")
            with open(template, encoding="utf-8") as f:
                data = yaml.safe_load(f)
            as_written = os.path.join(tmp, "template.json")
            unsuppressed = os.path.join(tmp, "unsuppressed.json")
            with open(as_written, "w", encoding="utf-8") as f:
                json.dump(data, f)
            suppressions = 0
            for resource in data.get("Resources", {}).values():
                guard_metadata = resource.get("Metadata", {}).pop("guard", None)
                if guard_metadata is not None:
                    suppressions += len(guard_metadata.get("SuppressedRules", []))
                    if not resource["Metadata"]:
                        del resource["Metadata"]
            with open(unsuppressed, "w", encoding="utf-8") as f:
                json.dump(data, f)
            results, failing = evaluate(guard, rules_dir, as_written)
            raw, raw_failing = evaluate(guard, rules_dir, unsuppressed)
            for label, names in sets:
                mine = {n: results.get(n, "skip") for n in names}
                passed = sum(1 for s in mine.values() if s == "pass")
                failed = sorted(n for n, s in mine.items() if s == "fail")
                suppressed = sorted(
                    n
                    for n in names
                    if raw.get(n) == "fail"
                    and (results.get(n) != "fail" or set(raw_failing[n]) - set(failing.get(n, [])))
                )
                skipped_rules = sum(1 for s in mine.values() if s == "skip")
                print(
                    f"guard {label}: {len(names)} rules; compliant {passed}, "
                    f"not applicable {skipped_rules}, suppressed {len(suppressed)}, "
                    f"unsuppressed failures {len(failed)}"
                )
                if suppressed and label.startswith("registry"):
                    print(f"  suppressed: {', '.join(suppressed)}")
            failed = sorted(n for n, s in results.items() if s == "fail")
            for name in failed:
                print(f"  FAILED {name}: {', '.join(failing[name]) or '(the template as a whole)'}")
            print(f"guard summary: {suppressions} Metadata.guard suppressions; " + (
                f"FAILED ({len(failed)} rules fail unsuppressed)" if failed else "no unsuppressed failures"
            ))
            if failed:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
