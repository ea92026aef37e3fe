"""Find a template and read its copier.yml, without importing Copier (it is slow to import)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from visiobook_scaffold.errors import ScaffoldError

# libyaml's loader when PyYAML was built with it: several times faster on copier.yml.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_NAME = "copier.yml"


@dataclass(frozen=True)
class CiSetup:
    """The action that installs the stack's language in CI, and the input naming its release."""

    action: str
    input: str


@dataclass(frozen=True)
class Stack:
    """A stack's facts, as declared once in copier.yml (`stacks`)."""

    key: str
    summary: str
    available: bool
    kind: str
    """`service` (an API with a database) or `frontend` (a browser app served by nginx)."""
    language: str
    language_versions: tuple[str, ...]
    default_language_version: str
    framework: str
    framework_version: str
    port: int
    ci_setup: CiSetup
    commands: dict[str, str]
    """What a developer runs, by name (COMMANDS); an empty command is no step at all."""
    env: dict[str, str] = field(default_factory=dict)
    """Variables the stack reads on top of the common ones, with their development values: one
    with a value points at the developer's own setup (`new` says to set it), an empty one is
    optional."""
    image_migrate: str | None = None
    """How the release image migrates the database, when the image itself does it."""
    image_dev_token: str | None = None
    """How the release image prints a token (the deploy's load test), when not as a checkout."""


LAYER_ANSWERS = frozenset({"layer", "resources", "fields", "migration", "migration_after"})
"""Answers saying which layer of the template a set of files is: a service, or a resource added
to one (resource.py). `add resource` gives them; `new` and `update --data` do not take them."""

KINDS = frozenset({"service", "frontend"})
# Every command a stack may declare; the ones each kind must declare.
COMMANDS = frozenset(
    {
        "workspace",
        "install",
        "migrate",
        "run",
        "dev_token",
        "lint",
        "type_check",
        "test",
        "audit",
        "load_test",
        "e2e",
    }
)
REQUIRED_COMMANDS = {
    "service": frozenset(
        {
            "install",
            "migrate",
            "run",
            "dev_token",
            "lint",
            "type_check",
            "test",
            "audit",
            "load_test",
        }
    ),
    "frontend": frozenset({"install", "run", "lint", "type_check", "test", "audit"}),
}
_REQUIRED_FACTS = (
    "summary",
    "available",
    "kind",
    "language",
    "language_versions",
    "default_language_version",
    "framework",
    "framework_version",
    "port",
    "ci_setup",
    "commands",
)
_OPTIONAL_FACTS = ("env", "image_migrate", "image_dev_token")


@dataclass(frozen=True)
class Question:
    """A question as copier.yml words it: its help and default as written (Jinja included)."""

    key: str
    help: str
    default: str | None
    """None: no default, the answer is required."""


@dataclass(frozen=True)
class TemplateConfig:
    """What the CLI needs to know about a template before handing it to Copier."""

    root: Path
    questions: dict[str, str]
    """Answers a user may give (asked, stored in the answers file), with their Copier type."""
    computed: tuple[str, ...]
    """Values derived from the answers (`when: false`): never asked, never given."""
    stacks: dict[str, Stack]
    wording: tuple[Question, ...] = field(default=())
    specs: dict[str, Any] = field(default_factory=dict)
    """Every question and computed value as copier.yml writes it, in its order (prompts.py)."""
    settings: dict[str, Any] = field(default_factory=dict)
    """The `_` settings copier.yml sets, with their values, e.g. `_envops`."""

    def available_stacks(self) -> list[Stack]:
        return [stack for stack in self.stacks.values() if stack.available]

    def answer_lines(self) -> list[str]:
        """One line per answer `new` takes: its key, help and default, for the terminal."""
        width = max((len(question.key) for question in self.wording), default=0)
        lines = []
        for question in self.wording:
            text = self._readable(question.help, in_help=True)
            if question.key == "stack":
                text += f" One of: {', '.join(s.key for s in self.available_stacks())}."
            default = (
                "required"
                if question.default is None
                else f"default: {self._readable(question.default)}"
            )
            lines.append(f"  {question.key:<{width}}  {text} [{default}]")
        return lines

    def _readable(self, text: str, in_help: bool = False) -> str:
        """Jinja as a reader would say it: `{{ org }}` is <org>, a stack fact is the stack's
        (in a question) or its value per stack (in a default)."""

        def per_stack(match: re.Match[str]) -> str:
            if in_help:
                return f"The stack's {match[1]}"
            values = {
                stack.key: str(getattr(stack, match[1], "?")) for stack in self.available_stacks()
            }
            if len(set(values.values())) == 1:
                return next(iter(values.values()))
            return (
                "per stack (" + ", ".join(f"{key} {value}" for key, value in values.items()) + ")"
            )

        return _ANSWER.sub(r"<\1>", _STACK_FACT.sub(per_stack, text)).strip()


_STACK_FACT = re.compile(r"\{\{\s*stacks\[stack\]\.(\w+)\s*\}\}")
_ANSWER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def embedded_template_root() -> Path:
    """The template shipped with this package: inside the wheel, or the source checkout."""
    candidates = (PACKAGE_DIR / "_template", PACKAGE_DIR.parents[1])
    for candidate in candidates:
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise ScaffoldError(f"embedded template not found (looked in {candidates[0]})")


def is_git_checkout(root: Path) -> bool:
    return (root / ".git").exists()


def is_local_template(src: str) -> bool:
    return "://" not in src and not src.startswith(("git@", "gh:", "gl:"))


@cache
def load_config(root: Path) -> TemplateConfig:
    config_path = root / CONFIG_NAME
    try:
        if config_path.exists() and not config_path.is_file():
            # A named pipe would wait for a writer forever; a device may never end.
            raise ScaffoldError(f"cannot read template {config_path}: not a regular file")
        text = config_path.read_text(encoding="utf-8")
        raw = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader, C-accelerated
    except FileNotFoundError:
        raise ScaffoldError(f"not a Copier template: {root} has no {CONFIG_NAME}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ScaffoldError(f"cannot read template {config_path}: {first_line}") from None
    if not isinstance(raw, dict):
        raise ScaffoldError(f"cannot read template {config_path}: not a mapping")

    questions: dict[str, str] = {}
    computed: list[str] = []
    wording: list[Question] = []
    specs: dict[str, Any] = {}
    for name, spec in raw.items():
        if name.startswith("_"):
            continue
        specs[str(name)] = spec
        if name in LAYER_ANSWERS:
            continue  # given by `add resource`, never by `new`
        if isinstance(spec, dict) and spec.get("when") is False:
            computed.append(name)
        else:
            questions[name] = str(spec.get("type", "str")) if isinstance(spec, dict) else "str"
            wording.append(_question(name, spec))

    stacks_spec = raw.get("stacks", {})
    stack_facts = stacks_spec.get("default", {}) if isinstance(stacks_spec, dict) else {}
    if not isinstance(stack_facts, dict):
        raise ScaffoldError(f"cannot read template {config_path}: `stacks` is not a mapping")
    try:
        stacks = {str(key): _stack(str(key), facts) for key, facts in stack_facts.items()}
    except StackFactError as error:
        raise ScaffoldError(f"cannot read template {config_path}: {error}") from None
    settings = {str(name): value for name, value in raw.items() if str(name).startswith("_")}
    return TemplateConfig(root, questions, tuple(computed), stacks, tuple(wording), specs, settings)


def _question(name: str, spec: object) -> Question:
    if not isinstance(spec, dict):  # `name: default` is Copier's short form
        return Question(name, "", None if spec is None else str(spec))
    default = spec.get("default")
    return Question(name, str(spec.get("help", "")), None if default is None else str(default))


class StackFactError(ValueError):
    """A stack's facts in copier.yml are missing, unknown or of the wrong kind."""


def _stack(key: str, facts: object) -> Stack:
    """A stack's facts, checked: every fact named, none unknown, each of its kind."""
    if not isinstance(facts, dict):
        raise StackFactError(f"stack {key}: its facts are not a mapping")
    unknown = sorted(set(map(str, facts)) - {*_REQUIRED_FACTS, *_OPTIONAL_FACTS})
    if unknown:
        raise StackFactError(f"stack {key}: unknown fact {', '.join(unknown)}")
    missing = [name for name in _REQUIRED_FACTS if name not in facts]
    if missing:
        raise StackFactError(f"stack {key}: lacks {', '.join(missing)}")

    def text(name: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise StackFactError(f"stack {key}: {name} must be a non-empty string")
        return value

    def mapping(name: str, value: object) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise StackFactError(f"stack {key}: {name} must map names to strings")
        return dict(value)

    kind = text("kind", facts["kind"])
    if kind not in KINDS:
        raise StackFactError(f"stack {key}: kind must be one of {', '.join(sorted(KINDS))}")
    versions = facts["language_versions"]
    if not isinstance(versions, list) or not versions:
        raise StackFactError(f"stack {key}: language_versions must be a non-empty list")
    language_versions = tuple(text("language_versions", str(v)) for v in versions)
    default_version = text("default_language_version", str(facts["default_language_version"]))
    if default_version not in language_versions:
        raise StackFactError(f"stack {key}: default_language_version is not in language_versions")
    port = facts["port"]
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise StackFactError(f"stack {key}: port must be a number from 1 to 65535")
    if not isinstance(facts["available"], bool):
        raise StackFactError(f"stack {key}: available must be true or false")
    ci_setup = mapping("ci_setup", facts["ci_setup"])
    if sorted(ci_setup) != ["action", "input"]:
        raise StackFactError(f"stack {key}: ci_setup must name its action and input")
    commands = mapping("commands", facts["commands"])
    unknown_commands = sorted(commands.keys() - COMMANDS)
    if unknown_commands:
        raise StackFactError(f"stack {key}: unknown command {', '.join(unknown_commands)}")
    lacking = sorted(REQUIRED_COMMANDS[kind] - {name for name, line in commands.items() if line})
    if lacking:
        raise StackFactError(f"stack {key}: a {kind} needs the command {', '.join(lacking)}")
    image_migrate = facts.get("image_migrate")
    image_dev_token = facts.get("image_dev_token")
    return Stack(
        key=key,
        summary=text("summary", facts["summary"]),
        available=facts["available"],
        kind=kind,
        language=text("language", facts["language"]),
        language_versions=language_versions,
        default_language_version=default_version,
        framework=text("framework", facts["framework"]),
        framework_version=text("framework_version", str(facts["framework_version"])),
        port=port,
        ci_setup=CiSetup(text("ci_setup.action", ci_setup["action"]), ci_setup["input"]),
        # An empty command (e.g. no `workspace` step for Node) is no step at all.
        commands={name: line for name, line in commands.items() if line},
        env=mapping("env", facts.get("env") or {}),
        image_migrate=None if image_migrate is None else text("image_migrate", image_migrate),
        image_dev_token=(
            None if image_dev_token is None else text("image_dev_token", image_dev_token)
        ),
    )
