"""`visiobook doctor`: what this machine has of what the stacks need, and how to get the rest.

Each stack needs its language toolchain at one of the versions it generates for (the stack facts
of copier.yml); every stack needs git. The rest helps without being needed to generate and test a
service: PostgreSQL for the integration tests, Docker for the image, helm and kubectl to deploy,
Chromium for a Vue app's browser tests. Every probe runs the tool with a timeout: nothing hangs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from visiobook_scaffold.template import Stack

Status = Literal["ok", "warn", "missing"]
PROBE_TIMEOUT = 10
"""Seconds a tool gets to say its version."""


@dataclass(frozen=True)
class Finding:
    status: Status
    what: str
    """What is needed, e.g. "Node.js 22 or 24"."""
    found: str
    """What this machine has ("" when nothing)."""
    required: bool
    fix: str = ""


def examine(stacks: Iterable[Stack], everything: bool = True) -> list[Finding]:
    """Findings for `stacks`: git and their toolchains (required), then, with `everything`,
    the tools that test, build and deploy them."""
    stacks = list(stacks)
    findings = [_git()]
    languages: dict[str, list[Stack]] = {}
    for stack in stacks:
        languages.setdefault(stack.language, []).append(stack)
    for language, users in languages.items():
        findings.extend(_toolchain(language, users))
    if not everything:
        return findings
    if any(stack.kind == "service" for stack in stacks):
        findings.append(_postgres())
    findings.append(_docker())
    findings.append(_optional("helm", ["helm", "version", "--short"], "deploy with the chart",
                              "https://helm.sh/docs/intro/install/"))  # fmt: skip
    findings.append(_optional("kubectl", ["kubectl", "version", "--client"], "deploy",
                              "https://kubernetes.io/docs/tasks/tools/"))  # fmt: skip
    if any(stack.kind == "frontend" for stack in stacks):
        findings.append(_chromium())
    return findings


def missing_required(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.required and finding.status == "missing"]


def _run(command: list[str]) -> str | None:
    """The command's first line of output, or None when it is absent or fails."""
    if shutil.which(command[0]) is None:
        return None
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=PROBE_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    output = (result.stdout or result.stderr).strip()
    if result.returncode != 0 or not output:
        return None
    return output.splitlines()[0]


def _version(text: str | None) -> tuple[int, ...] | None:
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


def _shown(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def _git() -> Finding:
    found = _run(["git", "--version"])
    if found is None:
        return Finding("missing", "git", "", True, "install git (apt-get install git)")
    return Finding("ok", "git", found.removeprefix("git version "), True)


def _toolchain(language: str, stacks: list[Stack]) -> list[Finding]:
    versions = stacks[0].language_versions
    default = stacks[0].default_language_version
    used_by = ", ".join(stack.key for stack in stacks)
    choices = versions[0] if len(versions) == 1 else f"{', '.join(versions[:-1])} or {versions[-1]}"
    wanted = f"{language} {choices} ({used_by})"
    if language == "Python":
        return [_python(wanted, versions)]
    if language == "Node.js":
        return _node(wanted, versions)
    if language == "Go":
        return [_go(wanted, versions, default)]
    return [Finding("warn", wanted, "", False, f"no probe for {language}: check it by hand")]


def _python(wanted: str, versions: tuple[str, ...]) -> Finding:
    for version in reversed(versions):
        found = _run([f"python{version}", "--version"])
        if found is not None:
            return Finding("ok", wanted, f"{found.split()[-1]} (python{version})", True)
    # pyenv keeps versions that are not on PATH until selected.
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in reversed(versions):
        for folder in sorted(pyenv.glob(f"{version}.*"), reverse=True):
            if (folder / "bin" / f"python{version}").is_file():
                fix = f"pyenv shell {folder.name} (or pyenv local, in the service)"
                return Finding("warn", wanted, f"{folder.name} in pyenv, not selected", True, fix)
    fix = f"install Python {versions[-2] if len(versions) > 1 else versions[0]}"
    return Finding("missing", wanted, _run(["python3", "--version"]) or "", True,
                   f"{fix} (pyenv install, or your system's packages)")  # fmt: skip


def _node(wanted: str, versions: tuple[str, ...]) -> list[Finding]:
    found = _version(_run(["node", "--version"]))
    majors = [int(version) for version in versions]
    fix = f"install Node.js {versions[0]} LTS (nodejs.org, or: nvm install {versions[0]})"
    if found is None:
        return [Finding("missing", wanted, "", True, fix)]
    node = Finding("ok", wanted, _shown(found), True)
    if found[0] < min(majors):
        node = Finding("missing", wanted, _shown(found), True, fix)
    npm = _run(["npm", "--version"])
    if npm is None:
        return [node, Finding("missing", "npm", "", True, "install npm with Node.js")]
    return [node, Finding("ok", "npm", npm, True)]


def _go(wanted: str, versions: tuple[str, ...], default: str) -> Finding:
    found = _version(_run(["go", "version"]))
    if found is None:
        return Finding("missing", wanted, "", True, f"install Go {default} (https://go.dev/dl/)")
    lowest, newest = (_version(v) or (0,) for v in (versions[0], default))
    if found[:2] >= newest[:2]:
        return Finding("ok", wanted, _shown(found), True)
    if found[:2] < lowest[:2]:
        return Finding(
            "missing", wanted, _shown(found), True, f"install Go {default} (https://go.dev/dl/)"
        )
    # An older supported Go: the go.mod of a default service names a newer one.
    toolchain = _run(["go", "env", "GOTOOLCHAIN"]) or "auto"
    if toolchain.startswith("local"):
        fix = (f"go.mod asks Go {default} and GOTOOLCHAIN=local: set GOTOOLCHAIN=auto, or"
               f" generate with --data language_version={_shown(found[:2])}")  # fmt: skip
        return Finding("warn", wanted, _shown(found), True, fix)
    return Finding("ok", wanted, f"{_shown(found)} (fetches Go {default} when go.mod asks)", True)


def _postgres() -> Finding:
    what = "PostgreSQL (integration tests)"
    client = _run(["psql", "--version"])
    server = shutil.which("postgres") or next(
        iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))), None
    )
    version = _version(client)
    shown = f"psql {_shown(version)}" if version else ""
    if client and server:
        return Finding("ok", what, f"{shown}, server {server}", False)
    fix = "apt-get install postgresql (client and server), or run it in Docker"
    return Finding("warn", what, shown, False, fix)


def _docker() -> Finding:
    what = "Docker (build and run the image)"
    client = _run(["docker", "--version"])
    if client is None:
        return Finding("warn", what, "", False, "install Docker Engine or Docker Desktop")
    if _run(["docker", "info", "--format", "{{.ServerVersion}}"]) is None:
        return Finding("warn", what, "client only", False, "start the Docker engine")
    return Finding("ok", what, client.removeprefix("Docker version "), False)


def _optional(tool: str, probe: list[str], use: str, fix: str) -> Finding:
    version = _version(_run(probe))
    what = f"{tool} ({use})"
    if version is None:
        return Finding("warn", what, "", False, f"install {tool}: {fix}")
    return Finding("ok", what, _shown(version), False)


def _chromium() -> Finding:
    what = "Chromium (the Vue app's browser tests)"
    for browser in ("chromium", "chromium-browser", "google-chrome"):
        version = _version(_run([browser, "--version"]))
        if version is not None:
            return Finding("ok", what, f"{browser} {_shown(version)}", False)
    return Finding("warn", what, "", False,
                   "apt-get install chromium, or: npx playwright install chromium")  # fmt: skip
