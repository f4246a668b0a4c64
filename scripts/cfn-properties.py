#!/usr/bin/env python3
"""Regenerates schemas/cloudformation-properties.json from cfn-lint's bundled
resource schemas: the top-level properties of each CloudFormation type
Palisade emits. Run with the validators venv's python (cfn-lint pinned there):
  .venv-validators/bin/python scripts/cfn-properties.py
"""
import json
import pathlib

import cfnlint
from importlib.metadata import version as package_version

base = pathlib.Path(cfnlint.__file__).parent / "data" / "schemas"
out_path = pathlib.Path(__file__).resolve().parent.parent / "schemas" / "cloudformation-properties.json"
current = json.loads(out_path.read_text())
index = json.loads((base / "providers" / "us-east-1.json").read_text())
types = {}
for name in current["types"]:
    schema = json.loads((base / "resources" / f"{index[name]}.json").read_text())
    read_only = {p.split("/")[-1] for p in schema.get("readOnlyProperties", []) if p.count("/") == 2}
    types[name] = {
        "properties": sorted(k for k in schema["properties"] if k not in read_only),
        "read_only": sorted(read_only),
    }
version = json.loads((base / "version.json").read_text())["schema_date"]
current["source"] = f"cfn-lint {package_version('cfn-lint')} (PyPI), cfnlint/data/schemas, us-east-1, schema_date {version}"
current["types"] = types
out_path.write_text(json.dumps(current, indent=1) + "\n")
