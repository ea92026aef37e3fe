"""The Go-built tools of the slow tier follow their one pin: the Kubernetes release copier.yml
names (platform_tools.kubernetes), which the generated workflow installs kubectl of too."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO_ROOT

KUBERNETES_MOD = REPO_ROOT / "tools/kubernetes/go.mod"


def pinned_kubernetes() -> str:
    facts = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    return str(facts["platform_tools"]["default"]["kubernetes"])


def test_kubernetes_tools_module_requires_the_release_copier_yml_pins() -> None:
    mod = KUBERNETES_MOD.read_text()
    required = re.search(r"^\tk8s\.io/kubernetes (v\S+)", mod, re.M)
    assert required is not None, "tools/kubernetes/go.mod does not require k8s.io/kubernetes"
    assert required[1] == pinned_kubernetes(), "run scripts/kubernetes_tools_mod.sh"


def test_every_staging_module_is_replaced_by_the_release_it_was_cut_with() -> None:
    # k8s.io/kubernetes vX.Y.Z is cut with its staging modules at v0.Y.Z.
    staging = "v0." + pinned_kubernetes().removeprefix("v1.")
    replaced = re.findall(
        r"^\t(k8s\.io/\S+) => (k8s\.io/\S+) (v\S+)$", KUBERNETES_MOD.read_text(), re.M
    )
    assert len(replaced) > 30
    for module, target, version in replaced:
        assert (target, version) == (module, staging), module


def test_makefile_builds_kubernetes_at_the_copier_yml_pin(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make not found")
    plan = subprocess.run(
        [make, "--dry-run", "--always-make", "kubernetes", f"TOOLS={tmp_path}"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    pin = pinned_kubernetes()
    assert f"k8s.io/component-base/version.gitVersion={pin} " in plan
    assert f"{tmp_path}/kubernetes-{pin}-" in plan
    # The Makefile reads the pin from copier.yml rather than restating it.
    assert pin not in (REPO_ROOT / "Makefile").read_text()


def test_makefile_builds_promtool_at_its_one_pin_in_a_folder_named_after_it(tmp_path: Path) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make not found")
    found = re.search(r"^PROMTOOL_VERSION := (v\S+)$", (REPO_ROOT / "Makefile").read_text(), re.M)
    assert found is not None, "the Makefile pins no PROMTOOL_VERSION"
    plan = subprocess.run(
        [make, "--dry-run", "--always-make", "promtool", f"TOOLS={tmp_path}"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"github.com/prometheus/prometheus/cmd/promtool@{found[1]}" in plan
    assert f"{tmp_path}/promtool-{found[1]}/" in plan
    # `make tools` builds it with the other tools.
    tools = re.search(r"^tools: (.*)$", (REPO_ROOT / "Makefile").read_text(), re.M)
    assert tools is not None
    assert "promtool" in tools[1].split()
