"""copier.yml's questions, evaluated one after another the way Copier evaluates them.

Each question's help, type, default, choices, validator and `when` are Jinja rendered with the
answers before it; computed values (`when: false`) join the context and are never asked. The
terminal side (prompts.py) asks what `Form.resolve` says is pending; Copier checks every answer
again when it renders, so a difference between the two would stop the render, not slip by.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from visiobook_scaffold.errors import ScaffoldError, one_line

# The filters Copier's own Jinja environment has (regex_search, to_json, ...).
COPIER_EXTENSIONS = ["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]

UNSUPPORTED_SETTINGS = ("_jinja_extensions", "_external_data")
UNSUPPORTED_KEYS = ("multiselect", "secret", "multiline")
# The one Jinja option (`_envops`) these prompts apply as Copier does: which Undefined it uses.
UNDEFINED = {"jinja2.Undefined": Undefined, "jinja2.StrictUndefined": StrictUndefined}


def undefined_of(settings: Mapping[str, Any]) -> type[Undefined] | None:
    """The Undefined that copier.yml's `_envops` asks for (Jinja's own when it sets none);
    None when `_envops` sets anything else, which only Copier evaluates."""
    envops = settings.get("_envops") or {}
    if not isinstance(envops, dict) or set(envops) - {"undefined"}:
        return None
    return UNDEFINED.get(str(envops.get("undefined", "jinja2.Undefined")))


class RefusedAnswerError(Exception):
    """An answer a question refuses; the message says why, in the template's words."""


@dataclass(frozen=True)
class Choice:
    title: str
    value: Any
    disabled: str = ""
    """Why it cannot be chosen (its validator's message); empty when it can."""


def _always_valid(_: Any) -> str:
    return ""


@dataclass(frozen=True)
class Question:
    """A question as it stands after the answers before it."""

    key: str
    message: str
    type: str
    """Copier's type: str, int, float, bool, json, yaml or path."""
    default: Any
    """None: no default (the answer is required)."""
    choices: tuple[Choice, ...] = ()
    validate: Callable[[Any], str] = field(default=_always_valid, compare=False)
    """The validator's message for a typed answer; empty when valid."""

    def cast(self, raw: Any) -> Any:
        try:
            return _CASTS[self.type](raw)
        except (TypeError, ValueError, json.JSONDecodeError, yaml.YAMLError):
            kind = "a whole number" if self.type == "int" else f"of type {self.type}"
            raise RefusedAnswerError(f"{self.key} must be {kind}, got {raw!r}") from None

    def check(self, raw: Any) -> Any:
        """The answer as Copier stores it, or RefusedAnswerError with the validator's words."""
        value = self.cast(raw)
        if self.choices:
            matches = [choice for choice in self.choices if choice.value == value]
            if not matches:
                names = ", ".join(str(choice.value) for choice in self.choices)
                raise RefusedAnswerError(f"{self.key} must be one of: {names}")
            if matches[0].disabled:
                raise RefusedAnswerError(matches[0].disabled)
        message = self.validate(value)
        if message:
            raise RefusedAnswerError(one_line(Exception(message)))
        return value

    def is_default(self, raw: Any) -> bool:
        try:
            return self.default is not None and self.cast(raw) == self.default
        except RefusedAnswerError:
            return False


@dataclass(frozen=True)
class Progress:
    answers: dict[str, Any]
    """The answers settled so far, in the questions' order; computed values left out."""
    settled: tuple[Question, ...]
    """The questions those answers belong to."""
    pending: Question | None
    """The first question still to ask; None when every answer is settled."""
    error: str = ""
    """Why the answer given to `pending` was refused."""


Extra = Callable[[Mapping[str, Any]], Question]
"""A question the template does not ask (the folder), built from the answers before it. It
follows the question it is attached to, or comes last when that one is not asked."""


class Form:
    """The questionnaire of one copier.yml."""

    def __init__(
        self,
        specs: Mapping[str, Any],
        root: Path,
        after: Mapping[str, Extra] | None = None,
        settings: Mapping[str, Any] | None = None,
    ):
        self._specs = specs
        self._after = dict(after or {})
        undefined = undefined_of(settings or {}) or Undefined
        # As in Copier, `{% from 'templates/names.jinja' import ... %}` names a file from the
        # template's root (the folder of copier.yml).
        self._env = SandboxedEnvironment(
            loader=FileSystemLoader(root), extensions=COPIER_EXTENSIONS, undefined=undefined
        )

    @staticmethod
    def unsupported(specs: Mapping[str, Any], settings: Mapping[str, Any]) -> str:
        """What in this copier.yml these prompts do not evaluate; empty when nothing is."""
        for setting in UNSUPPORTED_SETTINGS:
            if setting in settings:
                return setting
        if undefined_of(settings) is None:
            return "_envops"
        for key, spec in specs.items():
            if not isinstance(spec, dict):
                continue
            for name in UNSUPPORTED_KEYS:
                if spec.get(name):
                    return f"{key}: {name}"
            if spec.get("ask", True) is not True:
                return f"{key}: ask"
        return ""

    def resolve(self, chosen: Mapping[str, Any], accepted: Collection[str]) -> Progress:
        """Walk the questions in order: an answer in `chosen` is checked, a question in
        `accepted` takes its (current) default, and the first other one is pending."""
        context: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        settled: list[Question] = []
        state = (chosen, accepted, answers, settled)
        extras = dict(self._after)
        for key, spec in self._specs.items():
            details = spec if isinstance(spec, dict) else {"default": spec}
            try:
                asked = _to_bool(self._render(details.get("when", True), context))
                question = self._question(key, details, context)
            except (TemplateError, RefusedAnswerError, ValueError, TypeError) as error:
                raise ScaffoldError(
                    f"cannot evaluate question {key!r}: {one_line(error)}"
                ) from None
            if not asked:
                if question.default is not None:
                    context[key] = question.default
                continue
            progress = self._settle(question, *state)
            if progress is None and key in extras:
                # Our own question that follows this one (the folder after the name).
                progress = self._settle(extras.pop(key)(answers), *state)
            if progress is not None:
                return progress
            context.update(answers)
        for extra in extras.values():
            progress = self._settle(extra(answers), *state)
            if progress is not None:
                return progress
        return Progress(answers, tuple(settled), None)

    @staticmethod
    def _settle(
        question: Question,
        chosen: Mapping[str, Any],
        accepted: Collection[str],
        answers: dict[str, Any],
        settled: list[Question],
    ) -> Progress | None:
        """Record the question's answer; or, when it has none yet or a refused one, the
        progress that stops at it."""
        if question.key in chosen:
            raw = chosen[question.key]
        elif question.key in accepted and question.default is not None:
            raw = question.default
        else:
            return Progress(dict(answers), tuple(settled), question)
        try:
            answers[question.key] = question.check(raw)
        except RefusedAnswerError as refused:
            return Progress(dict(answers), tuple(settled), question, str(refused))
        settled.append(question)
        return None

    def _render(self, value: Any, context: Mapping[str, Any]) -> Any:
        if isinstance(value, str):
            return self._env.from_string(value).render(context)
        if isinstance(value, list):
            return [self._render(item, context) for item in value]
        return value

    def _question(
        self, key: str, details: Mapping[str, Any], context: Mapping[str, Any]
    ) -> Question:
        type_name = str(self._render(details.get("type", "") or _type_of(details), context))
        if type_name not in _CASTS:
            raise RefusedAnswerError(f"unsupported type {type_name!r}")
        rendered = self._render(details.get("default"), context)
        shell = Question(key, "", type_name, None)
        try:
            default = None if rendered is None else shell.cast(rendered)
        except RefusedAnswerError:
            default = rendered  # shown as written; Enter then says why it is refused
        help_text = str(self._render(details.get("help", ""), context)).strip()
        validator = str(details.get("validator", ""))

        def validate(value: Any) -> str:
            if not validator:
                return ""
            try:
                return str(self._render(validator, {**context, key: value})).strip()
            except Exception as error:
                # As Copier: a validator that fails on an answer (any error: the template's
                # Jinja can raise anything) refuses it, with the reason.
                return f"{key}: {one_line(error)}"

        return Question(
            key=key,
            message=help_text or key,
            type=type_name,
            default=default,
            choices=self._choices(shell, details.get("choices"), context),
            validate=validate,
        )

    def _choices(
        self, shell: Question, spec: Any, context: Mapping[str, Any]
    ) -> tuple[Choice, ...]:
        if not spec:
            return ()
        if isinstance(spec, str):
            spec = yaml.safe_load(str(self._render(spec, context)))
        pairs = list(spec.items()) if isinstance(spec, dict) else [(item, item) for item in spec]
        choices = []
        for name, value in pairs:
            disabled = ""
            if isinstance(value, dict):
                disabled = str(self._render(value.get("validator", ""), context)).strip()
                value = value["value"]
            title = str(self._render(name, context))
            choices.append(Choice(title, shell.cast(self._render(value, context)), disabled))
        return tuple(choices)


def _type_of(details: Mapping[str, Any]) -> str:
    """Copier's rule for a question without `type`: its default's, else yaml."""
    default = details.get("default")
    return next(
        (name for name, kind in _NATIVE.items() if type(default) is kind),
        "yaml",
    )


def _to_bool(value: Any) -> bool:
    """Copier's reading of a rendered condition: a number, a YAML boolean, or Python's truth."""
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("", "n", "no", "f", "false", "off", "~", "null", "none"):
            return False
        if word in ("y", "yes", "t", "true", "on"):
            return True
    return bool(value)


def _to_str(value: Any) -> str:
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(value)


def _to_yaml(value: Any) -> Any:
    return yaml.safe_load(value) if isinstance(value, str) else value


def _to_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_CASTS: dict[str, Callable[[Any], Any]] = {
    "str": _to_str,
    "int": int,
    "float": float,
    "bool": _to_bool,
    "json": _to_json,
    "yaml": _to_yaml,
    "path": _to_str,
}
_NATIVE: dict[str, type] = {"bool": bool, "int": int, "float": float, "str": str}
