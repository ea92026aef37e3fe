"""Where rules are declared: each rule module decorates its check functions with `@rule`.

Every module in `visiobook_scaffold.check.rules` is imported by `all_rules()`, so a new rule
is a new function (or module) there, and nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from visiobook_scaffold.check import rules as rules_package
from visiobook_scaffold.check.model import Check, Rule, Severity

CATEGORIES = (
    "structure",
    "docker",
    "kubernetes",
    "ci",
    "observability",
    "configuration",
    "api",
    "dependencies",
    "template",
    "waivers",
)
"""Display order of the report's groups."""

_RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    category: str,
    severity: Severity,
    spec: str,
    title: str,
    fix: str,
    stacks: tuple[str, ...] | None = None,
    kinds: tuple[str, ...] | None = None,
) -> Callable[[Check], Check]:
    """Register the decorated function as the check of a rule."""
    if category not in CATEGORIES:
        raise ValueError(f"rule {rule_id}: unknown category {category!r}")

    def register(check: Check) -> Check:
        if rule_id in _RULES:
            raise ValueError(f"rule {rule_id} is declared twice")
        _RULES[rule_id] = Rule(
            id=rule_id,
            category=category,
            severity=severity,
            spec=spec,
            title=title,
            fix=fix,
            check=check,
            stacks=frozenset(stacks) if stacks is not None else None,
            kinds=frozenset(kinds) if kinds is not None else None,
        )
        return check

    return register


def rule_ids() -> set[str]:
    return {rule.id for rule in all_rules()}


def all_rules() -> list[Rule]:
    """Every rule, grouped by category in display order."""
    for module in pkgutil.iter_modules(rules_package.__path__):
        importlib.import_module(f"{rules_package.__name__}.{module.name}")
    order = {category: index for index, category in enumerate(CATEGORIES)}
    return sorted(_RULES.values(), key=lambda r: order[r.category])
