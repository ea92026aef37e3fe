"""Refresh templates/<stack>/package-lock.json.jinja after changing the stack's package.json.

    python scripts/lock_node_template.py          # the Node stack
    python scripts/lock_node_template.py vue      # the Vue stack
    python scripts/lock_node_template.py --upgrade   # every dependency to its newest allowed

Generates a throwaway service of the stack, lets npm resolve its dependencies (no install, no
scripts), and stores the lock file back in the template with the service name as a template
variable, so every generated service installs the exact same tree with `npm ci`. npm starts
from the template's current lock, as `npm install` does in a project: a dependency added or
removed changes only its own entries. `--upgrade` resolves every dependency afresh instead, to
the newest releases package.json allows.

The Node stack has a second variant, `cache: redis`, with dependencies of its own: both variants
are resolved, and the lines only the Redis variant's lock has are stored behind
`{% if cache == "redis" %}`, so the template renders each variant's own lock file.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import tempfile
from pathlib import Path

from throwaway import REPO_ROOT, generate

NPM_STACKS = ("node", "vue")
PLACEHOLDER_NAME = "lock-placeholder-service"
REDIS_VARIANT = 'cache == "redis"'


def resolved_lock(stack: str, answers: dict[str, str], upgrade: bool) -> str:
    """The lock file npm resolves for a service of `stack` generated with `answers`, as text:
    from the lock the service came with, or, with `upgrade`, from none."""
    with tempfile.TemporaryDirectory() as tmp:
        service = Path(tmp) / PLACEHOLDER_NAME
        generate(stack, service, answers)
        if upgrade:
            (service / "package-lock.json").unlink(missing_ok=True)
        resolve_only = ["--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(["npm", "install", *resolve_only], check=True, cwd=service)
        lock = json.loads((service / "package-lock.json").read_text())
    lock["name"] = lock["packages"][""]["name"] = "{{ service_name }}"
    text = json.dumps(lock, indent=2) + "\n"
    if "{%" in text or text.count("{{") != 2:
        raise SystemExit("the lock file contains Jinja markers; it cannot be stored as a template")
    return text


def with_redis_variant(plain: str, redis: str) -> str:
    """`plain` with the lines only `redis` has inserted behind the variant's condition.

    Each added dependency is whole lines between two of the plain lock (npm sorts its keys), so
    any other difference means the variants resolved differently: refused, not papered over.
    """
    plain_lines = plain.splitlines(keepends=True)
    redis_lines = redis.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=plain_lines, b=redis_lines, autojunk=False)
    # (where in the plain lock, the lines inserted there)
    insertions: list[tuple[int, list[str]]] = []
    for tag, start, _end, redis_start, redis_end in matcher.get_opcodes():
        if tag == "insert":
            insertions.append((start, redis_lines[redis_start:redis_end]))
        elif tag != "equal":
            raise SystemExit(
                "the cache: redis variant's lock differs from the plain one by more than added "
                f"lines (at line {start + 1}): resolve both from the same package.json"
            )
    merged: list[str] = []
    copied = 0
    for start, lines in insertions:
        # Slide the block down while it can (its first line repeats the next plain one), so it
        # holds whole entries ("node_modules/x": {...},) rather than the tail of one and the
        # head of the next.
        while start < len(plain_lines) and lines[0] == plain_lines[start]:
            lines = [*lines[1:], plain_lines[start]]
            start += 1
        merged.extend(plain_lines[copied:start])
        merged.append("{% if " + REDIS_VARIANT + " %}" + lines[0])
        merged.extend(lines[1:])
        if start == len(plain_lines):
            raise SystemExit("the cache: redis variant's lock ends with lines of its own")
        merged.append("{% endif %}" + plain_lines[start])
        copied = start + 1
    merged.extend(plain_lines[copied:])
    return "".join(merged)


def lock(stack: str, upgrade: bool) -> None:
    lock_template = REPO_ROOT / "templates" / stack / "package-lock.json.jinja"
    text = resolved_lock(stack, {}, upgrade)
    if stack == "node":
        text = with_redis_variant(text, resolved_lock(stack, {"cache": "redis"}, upgrade))
    lock_template.write_text(text)
    packages = text.count('"node_modules/')
    print(f"wrote {lock_template.relative_to(REPO_ROOT)} ({packages} packages, all variants)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Refresh an npm stack's lock file template.")
    parser.add_argument("stack", nargs="?", default="node", choices=NPM_STACKS)
    parser.add_argument(
        "--upgrade", action="store_true", help="resolve every dependency afresh, to its newest"
    )
    arguments = parser.parse_args()
    lock(arguments.stack, arguments.upgrade)


if __name__ == "__main__":
    main()
