"""Refresh templates/<stack>/package-lock.json.jinja after changing the stack's package.json.

    python scripts/lock_node_template.py          # the Node stack
    python scripts/lock_node_template.py vue      # the Vue stack

Generates a throwaway service of the stack, lets npm resolve its dependencies (no install, no
scripts), and stores the lock file back in the template with the service name as a template
variable, so every generated service installs the exact same tree with `npm ci`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from throwaway import REPO_ROOT, generate

NPM_STACKS = ("node", "vue")
PLACEHOLDER_NAME = "lock-placeholder-service"


def lock(stack: str) -> None:
    lock_template = REPO_ROOT / "templates" / stack / "package-lock.json.jinja"
    with tempfile.TemporaryDirectory() as tmp:
        service = Path(tmp) / PLACEHOLDER_NAME
        generate(stack, service)
        (service / "package-lock.json").unlink(missing_ok=True)
        resolve_only = ["--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(["npm", "install", *resolve_only], check=True, cwd=service)
        lock = json.loads((service / "package-lock.json").read_text())
    lock["name"] = lock["packages"][""]["name"] = "{{ service_name }}"
    text = json.dumps(lock, indent=2) + "\n"
    if "{%" in text or text.count("{{") != 2:
        raise SystemExit("the lock file contains Jinja markers; it cannot be stored as a template")
    lock_template.write_text(text)
    print(f"wrote {lock_template.relative_to(REPO_ROOT)} ({len(lock['packages']) - 1} packages)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Refresh an npm stack's lock file template.")
    parser.add_argument("stack", nargs="?", default="node", choices=NPM_STACKS)
    lock(parser.parse_args().stack)


if __name__ == "__main__":
    main()
