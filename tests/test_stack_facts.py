"""The stack facts of copier.yml, read and checked by the CLI as Copier reads them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import yaml

from tests.helpers import REPO_ROOT
from visiobook_scaffold.template import Stack, StackFactError, _stack, load_config


def declared_facts() -> dict[str, dict[str, Any]]:
    facts: dict[str, dict[str, Any]] = yaml.safe_load(
        (REPO_ROOT / "copier.yml").read_text(encoding="utf-8")
    )["stacks"]["default"]
    return facts


def test_copier_parses_the_same_stack_facts_as_the_cli() -> None:
    from copier._template import Template  # the parse `copier copy` renders with

    copier_facts = Template(url=str(REPO_ROOT), ref="HEAD").questions_data["stacks"]["default"]
    assert copier_facts == declared_facts()
    assert list(load_config(REPO_ROOT).stacks) == list(copier_facts)


@pytest.mark.parametrize("key", list(declared_facts()))
def test_every_declared_fact_reaches_the_stack_model(key: str) -> None:
    facts = declared_facts()[key]
    stack = load_config(REPO_ROOT).stacks[key]
    fields = {field.name for field in dataclasses.fields(Stack)}
    assert set(facts) <= fields
    assert stack.port == facts["port"]
    assert stack.ci_setup.action == facts["ci_setup"]["action"]
    assert stack.env == (facts.get("env") or {})
    assert stack.image_migrate == facts.get("image_migrate")
    assert stack.image_dev_token == facts.get("image_dev_token")
    assert stack.commands == {name: line for name, line in facts["commands"].items() if line}


def facts_with(**changes: Any) -> dict[str, Any]:
    facts = {**declared_facts()["fastapi"], **changes}
    return {name: value for name, value in facts.items() if value is not None}


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (facts_with(prot=8080), "stack x: unknown fact prot"),
        (facts_with(port=None), "stack x: lacks port"),
        (facts_with(kind="worker"), "stack x: kind must be one of frontend, service"),
        (facts_with(port=0), "stack x: port must be a number from 1 to 65535"),
        (facts_with(port="8000"), "stack x: port must be a number from 1 to 65535"),
        (facts_with(available="yes"), "stack x: available must be true or false"),
        (facts_with(language_versions=[]), "language_versions must be a non-empty list"),
        (facts_with(default_language_version="2.7"), "is not in language_versions"),
        (facts_with(ci_setup={"action": "actions/setup-python@v7"}), "ci_setup must name"),
        (facts_with(summary=""), "stack x: summary must be a non-empty string"),
        (facts_with(env={"A": 1}), "stack x: env must map names to strings"),
        (
            facts_with(commands={**declared_facts()["fastapi"]["commands"], "tset": "pytest"}),
            "stack x: unknown command tset",
        ),
        (
            facts_with(commands={**declared_facts()["fastapi"]["commands"], "test": ""}),
            "stack x: a service needs the command test",
        ),
    ],
)
def test_a_wrong_stack_fact_is_named(facts: dict[str, Any], message: str) -> None:
    with pytest.raises(StackFactError, match=message):
        _stack("x", facts)


def test_a_frontend_needs_no_migration_or_dev_token() -> None:
    vue = declared_facts()["vue"]
    assert "dev_token" not in vue["commands"]
    assert _stack("vue", vue).kind == "frontend"
