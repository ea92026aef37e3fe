"""Just enough of a Dockerfile parser for the checks: instructions, stages and base images."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PRODUCTION_DOCKERFILES = ("docker/Dockerfile", "Dockerfile")
"""Where the production Dockerfile is looked for, in order (guidelines 1.1 puts it first)."""


@dataclass(frozen=True)
class Instruction:
    keyword: str
    """Upper case: FROM, USER, ..."""
    arguments: str
    line: int


@dataclass
class Stage:
    base: str
    """The image (or earlier stage) it starts from, build arguments substituted."""
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        found = [i for i in self.instructions if i.keyword == keyword]
        return found[-1] if found else None


_ARG_REFERENCE = re.compile(r"\$\{?(\w+)(?::?-[^}]*)?\}?")


def instructions(text: str) -> list[Instruction]:
    """The instructions in order, continuation lines joined, comments dropped."""
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        keyword, _, arguments = " ".join(pending).strip().partition(" ")
        found.append(Instruction(keyword.upper(), arguments.strip(), start))
        pending = []
    return found


def stages(text: str) -> list[Stage]:
    """The build stages; ARGs declared before the first FROM are substituted in base images."""
    args: dict[str, str] = {}
    result: list[Stage] = []
    for instruction in instructions(text):
        if instruction.keyword == "ARG" and not result:
            name, _, default = instruction.arguments.partition("=")
            args[name.strip()] = default.strip().strip("\"'")
        elif instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            if not words:
                continue  # a FROM without an image: docker build rejects it anyway
            base = _ARG_REFERENCE.sub(lambda m: args.get(m.group(1), m.group(0)), words[0])
            stage_name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            result.append(Stage(base, stage_name, instruction.line))
        elif result:
            result[-1].instructions.append(instruction)
    return result


def image_tag_problem(image: str) -> str | None:
    """Why a base image reference is not pinned, or None when it is."""
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag (it means latest)"
    tag = last.rsplit(":", 1)[1]
    if tag == "latest":
        return "is tagged latest"
    if "$" in tag:
        return "has a tag set by a build argument without a default"
    return None
