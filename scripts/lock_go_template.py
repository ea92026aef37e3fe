"""Refresh templates/go/go.mod.jinja and go.sum.jinja after changing the Go template's imports.

Generates a throwaway Go service for each `cache` answer, lets `go mod tidy` resolve its imports
(and `go get -tool` pin the lint and audit tools), and stores go.mod and go.sum back in the
template with the module path and Go version as template variables, so every generated service
builds with the same versions. The lines of one variant only (the Redis client and what it
needs) are kept behind `{% if cache == "redis" %}`: a service without a cache gets exactly the
files it would get if the other variant did not exist.
"""

from __future__ import annotations

import difflib
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
# The variant each `cache` answer generates; the first is the default, `none`.
WITHOUT_CACHE, WITH_REDIS = "none", "redis"


def locked(cache: str) -> tuple[str, str]:
    """go.mod (module path and Go version as template variables) and go.sum of a service
    generated with this `cache` answer."""
    # The generated go.mod may name a newer Go than the local one: let go fetch that toolchain.
    env = {**os.environ, "GOTOOLCHAIN": "auto"}
    with tempfile.TemporaryDirectory() as tmp:
        service = Path(tmp) / PLACEHOLDER_NAME
        generate("go", service, {"cache": cache})
        (service / "go.sum").write_text("")
        subprocess.run(["go", "get", "-tool", *TOOLS], check=True, cwd=service, env=env)
        subprocess.run(["go", "mod", "tidy"], check=True, cwd=service, env=env)
        go_mod = (service / "go.mod").read_text()
        go_sum = (service / "go.sum").read_text()
    go_mod = re.sub(r"^module .*$", "module {{ go_module }}", go_mod, count=1, flags=re.M)
    go_mod = re.sub(r"^go .*$", "go {{ language_version }}.0", go_mod, count=1, flags=re.M)
    if "{%" in go_mod or go_mod.count("{{") != 2 or "{{" in go_sum or "{%" in go_sum:
        raise SystemExit("go.mod or go.sum holds Jinja markers: cannot store them as templates")
    return go_mod, go_sum


def merged(without_cache: str, with_redis: str) -> str:
    """One template of two versions of a file: the lines they share as they are, the others
    behind `{% if cache == "redis" %}` (and `{% else %}` for those of the first only)."""
    plain, redis = without_cache.splitlines(), with_redis.splitlines()
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(a=plain, b=redis, autojunk=False)
    for tag, plain_start, plain_end, redis_start, redis_end in matcher.get_opcodes():
        if tag == "equal":
            lines += plain[plain_start:plain_end]
            continue
        # `{%-` eats the line break before the tag: each branch brings its own.
        lines.append('{%- if cache == "redis" %}')
        lines += redis[redis_start:redis_end]
        if plain_start < plain_end:
            lines.append("{%- else %}")
            lines += plain[plain_start:plain_end]
        lines.append("{%- endif %}")
    return "\n".join(lines) + "\n"


def main() -> None:
    plain_mod, plain_sum = locked(WITHOUT_CACHE)
    redis_mod, redis_sum = locked(WITH_REDIS)
    (TEMPLATE / "go.mod.jinja").write_text(merged(plain_mod, redis_mod))
    (TEMPLATE / "go.sum.jinja").write_text(merged(plain_sum, redis_sum))
    print(
        "wrote templates/go/go.mod.jinja and go.sum.jinja "
        f"({len(plain_sum.splitlines())} sums, {len(redis_sum.splitlines())} with Redis)"
    )


if __name__ == "__main__":
    main()
