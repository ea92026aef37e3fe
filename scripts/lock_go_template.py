"""Refresh templates/go/go.mod.jinja and go.sum after changing the Go template's imports.

Generates a throwaway Go service, lets `go mod tidy` resolve its imports (and `go get -tool`
pin the lint and audit tools), and stores go.mod back in the template with the module path and
Go version as template variables, so every generated service builds with the same versions.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from throwaway import REPO_ROOT, generate

TEMPLATE = REPO_ROOT / "templates" / "go"
PLACEHOLDER_NAME = "lock-placeholder-service"
# Tools the generated Makefile and CI run with `go tool`, pinned in go.mod.
TOOLS = [
    "honnef.co/go/tools/cmd/staticcheck@v0.8.2",
    "golang.org/x/vuln/cmd/govulncheck@v1.9.0",
]


def main() -> None:
    # The generated go.mod may name a newer Go than the local one: let go fetch that toolchain.
    env = {**os.environ, "GOTOOLCHAIN": "auto"}
    with tempfile.TemporaryDirectory() as tmp:
        service = Path(tmp) / PLACEHOLDER_NAME
        generate("go", service)
        (service / "go.sum").write_text("")
        subprocess.run(["go", "get", "-tool", *TOOLS], check=True, cwd=service, env=env)
        subprocess.run(["go", "mod", "tidy"], check=True, cwd=service, env=env)
        go_mod = (service / "go.mod").read_text()
        go_sum = (service / "go.sum").read_text()
    go_mod = re.sub(r"^module .*$", "module {{ go_module }}", go_mod, count=1, flags=re.M)
    go_mod = re.sub(r"^go .*$", "go {{ language_version }}.0", go_mod, count=1, flags=re.M)
    if "{%" in go_mod or go_mod.count("{{") != 2 or "{{" in go_sum:
        raise SystemExit("go.mod or go.sum holds Jinja markers: cannot store them as templates")
    (TEMPLATE / "go.mod.jinja").write_text(go_mod)
    (TEMPLATE / "go.sum").write_text(go_sum)
    print(f"wrote templates/go/go.mod.jinja and go.sum ({len(go_sum.splitlines())} sums)")


if __name__ == "__main__":
    main()
