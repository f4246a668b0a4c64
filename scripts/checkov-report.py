#!/usr/bin/env python3
"""Summarise a checkov `-o json` result for Palisade's scan scripts.

Usage: checkov-report.py RESULT.json LABEL

Prints every failed check (id, resource, file:lines, title), every skipped
check with its suppression comment, and one summary line per framework.
Exits 1 when any check failed, any file failed to parse, or no check ran at
all (an empty scan proves nothing); 0 otherwise.

The summary line deliberately avoids the "N passed, N failed" shape so CI
log readers do not mistake it for a test-runner result.
"""
import json
import sys


def main() -> int:
    path, label = sys.argv[1], sys.argv[2]
    raw = open(path, encoding="utf-8").read().strip()
    if not raw:
        print(f"checkov {label}: no JSON output", file=sys.stderr)
        return 1
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(f"checkov {label}: unparseable output: {exc}", file=sys.stderr)
        print(raw[:2000], file=sys.stderr)
        return 1
    reports = data if isinstance(data, list) else [data]
    totals = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
    for rep in reports:
        # A scan with no resources yields only a bare summary object.
        summary = rep.get("summary", rep)
        check_type = rep.get("check_type", label)
        results = rep.get("results", {})
        for chk in results.get("failed_checks", []):
            lines = chk.get("file_line_range") or []
            where = chk.get("file_path", "")
            if lines:
                where += ":%s-%s" % (lines[0], lines[-1])
            print(f"FAILED  {chk.get('check_id')} {chk.get('resource')} ({where}): {chk.get('check_name')}")
        for chk in results.get("skipped_checks", []):
            comment = (chk.get("check_result") or {}).get("suppress_comment", "")
            print(f"SKIPPED {chk.get('check_id')} {chk.get('resource')}: {comment}")
        for err in results.get("parsing_errors", []) or []:
            print(f"PARSE-ERROR {err}")
        for key in totals:
            totals[key] += int(summary.get(key, 0) or 0)
        print(
            "checkov %s summary: passed=%d failed=%d skipped=%d parsing_errors=%d"
            % (check_type, summary.get("passed", 0), summary.get("failed", 0),
               summary.get("skipped", 0), summary.get("parsing_errors", 0))
        )
    if totals["failed"] or totals["parsing_errors"]:
        return 1
    if totals["passed"] + totals["skipped"] == 0:
        print(f"checkov {label}: no checks ran (nothing recognised as {label})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
