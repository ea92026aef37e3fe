"""Refresh templates/node/package-lock.json.jinja after changing the template's package.json.

Generates a throwaway Node service, lets npm resolve its dependencies (no install, no scripts),
and stores the lock file back in the template with the service name as a template variable,
so every generated service installs the exact same tree with `npm ci`.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from throwaway import REPO_ROOT, generate

LOCK_TEMPLATE = REPO_ROOT / "templates" / "node" / "package-lock.json.jinja"
PLACEHOLDER_NAME = "lock-placeholder-service"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        service = Path(tmp) / PLACEHOLDER_NAME
        generate("node", service)
        (service / "package-lock.json").unlink(missing_ok=True)
        resolve_only = ["--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(["npm", "install", *resolve_only], check=True, cwd=service)
        lock = json.loads((service / "package-lock.json").read_text())
    lock["name"] = lock["packages"][""]["name"] = "{{ service_name }}"
    text = json.dumps(lock, indent=2) + "\n"
    if "{%" in text or text.count("{{") != 2:
        raise SystemExit("the lock file contains Jinja markers; it cannot be stored as a template")
    LOCK_TEMPLATE.write_text(text)
    print(f"wrote {LOCK_TEMPLATE.relative_to(REPO_ROOT)} ({len(lock['packages']) - 1} packages)")


if __name__ == "__main__":
    main()
