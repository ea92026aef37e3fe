"""A made-up fifth stack needs only what CONTRIBUTING.md's "Add a stack" names first: its facts
in copier.yml and its tree under templates/, linked to the shared files. From those two, `new`
renders the shared platform files (CI workflow, chart, .env.example, README) with its facts, a
workflow actionlint passes, and prints its commands as the next steps; no code of the tool
changes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.helpers import REPO_ROOT, probe_template
from tests.slow.tools import tool
from visiobook_scaffold.cli import app

# Its facts, as a contributor would add them to copier.yml's `stacks`.
RUST_FACTS = """\
    rust:
      summary: "Rust + Axum service (a made-up fifth stack)"
      available: true
      kind: service
      language: Rust
      language_versions: ["1.91", "1.92"]
      default_language_version: "1.92"
      framework: Axum
      framework_version: "0.8"
      port: 8088
      ci_setup:
        action: dtolnay/rust-toolchain@v1
        input: toolchain
      commands:
        workspace: ""
        install: "cargo fetch"
        migrate: "cargo run -- migrate"
        run: "cargo run"
        dev_token: "cargo run -- dev-token"
        lint: "cargo fmt --check && cargo clippy -- -D warnings"
        type_check: "cargo check"
        test: "cargo test"
        audit: "cargo audit"
        load_test: "bash load/run.sh"
"""


def template_with_a_fifth_stack(root: Path) -> Path:
    """This repository's template (copier.yml, its macros and the shared files) with the rust
    stack added in the two places the checklist names first."""
    probe_template(root)
    shared = root / "templates" / "shared"
    shutil.copytree(REPO_ROOT / "templates" / "shared", shared, symlinks=True)
    config = (root / "copier.yml").read_text(encoding="utf-8")
    # The facts go in as the last stack, before the next top-level key.
    stacks_end = re.search(r"^\n# The PostgreSQL", config, re.MULTILINE)
    assert stacks_end is not None
    (root / "copier.yml").write_text(
        config[: stacks_end.start()] + RUST_FACTS + config[stacks_end.start() :], encoding="utf-8"
    )
    tree = root / "templates" / "rust"
    tree.mkdir()
    for entry in shared.iterdir():
        (tree / entry.name).symlink_to(Path("..") / "shared" / entry.name)
    (tree / "Cargo.toml.jinja").write_text(
        '[package]\nname = "{{ service_name }}"\nversion = "0.1.0"\nedition = "2024"\n',
        encoding="utf-8",
    )
    (tree / "src").mkdir()
    (tree / "src" / "main.rs").write_text('fn main() {\n    println!("ready");\n}\n')
    return root


def test_a_fifth_stack_is_generated_from_its_facts_and_tree_alone(tmp_path: Path) -> None:
    template = template_with_a_fifth_stack(tmp_path / "template")
    dest = tmp_path / "ledger"
    result = CliRunner().invoke(
        app,
        ["new", str(dest), "--template", str(template), "--stack", "rust", "--name", "ledger",
         "--defaults", "--no-git"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # The next steps are the facts' commands.
    assert "cargo fetch\n  cargo run -- migrate\n  cargo run\n" in result.output
    assert "cargo fmt --check && cargo clippy -- -D warnings && cargo check && cargo test" in (
        result.output
    )
    assert "Deploy it:\n  helm upgrade --install ledger k8s/helm\n" in result.output
    assert 'name = "ledger"' in (dest / "Cargo.toml").read_text()

    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert (answers["stack"], answers["language_version"]) == ("rust", "1.92")
    # The shared platform files, rendered with the new stack's facts.
    workflow = (dest / ".github/workflows/ci-cd.yml").read_text()
    assert "uses: dtolnay/rust-toolchain@v1" in workflow
    assert 'toolchain: "1.92"' in workflow
    for command in ("cargo fetch", "cargo run -- migrate", "cargo check", "cargo test"):
        assert f"run: {command}" in workflow
    # GitHub would run it: actionlint (with shellcheck on its scripts) finds nothing.
    linted = subprocess.run(
        [tool("actionlint"), f"-shellcheck={tool('shellcheck')}", ".github/workflows/ci-cd.yml"],
        cwd=dest,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    values = yaml.safe_load((dest / "k8s/helm/values.yaml").read_text())
    assert values["service"]["targetPort"] == 8088
    assert re.search(r"^PORT=8088$", (dest / ".env.example").read_text(), re.MULTILINE)
    readme = (dest / "README.md").read_text()
    assert "cargo run" in readme
