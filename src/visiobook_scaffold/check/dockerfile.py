"""Just enough of a Dockerfile parser for the checks: instructions, stages and base images."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath


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
    """Why a base image reference is not pinned, or None when it is: a tag must name a version
    (node:22-alpine), or the image be pinned by digest. A tag without a digit (alpine, slim,
    stable-alpine, lts) floats: it moves to each new release."""
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
    if not any(character.isdigit() for character in tag):
        return f"has the floating tag {tag}: it names no version, so it moves with each release"
    return None


# Words in a Dockerfile's name (Dockerfile.dev, dev.Dockerfile, Dockerfile-test) or a stage's
# name (test, ci-lint, development) that say it is not what ships.
_NOT_SHIPPED_WORDS = frozenset(
    {"dev", "develop", "development", "local", "debug", "test", "tests", "testing", "e2e", "ci",
     "lint", "devcontainer"}
)  # fmt: skip
_NOT_SHIPPED_FOLDERS = frozenset({"devcontainer", "test", "tests", "e2e", "testdata", "fixtures"})
_PRODUCTION_WORDS = frozenset({"prod", "production", "release", "runtime", "final"})
_WORD_SEPARATORS = re.compile(r"[._\-]+")


def _words(name: str) -> set[str]:
    return {word for word in _WORD_SEPARATORS.split(name.lower()) if word}


def is_dockerfile(path: str) -> bool:
    """Named as Docker names them, in any case: Dockerfile, Dockerfile.prod, api.Dockerfile."""
    name = PurePosixPath(path).name.lower()
    if name.endswith(".dockerignore"):
        return False  # Dockerfile.dockerignore: the ignore file of that Dockerfile
    return name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile")


def is_development_file(path: str) -> bool:
    """A Dockerfile (or compose file) for development or tests: `.dev`, `-dev`, `.test`
    variants, or one kept in a devcontainer or test folder."""
    parts = PurePosixPath(path.lower()).parts
    if any(_words(folder) & _NOT_SHIPPED_FOLDERS for folder in parts[:-1]):
        return True
    return bool(_words(parts[-1]) & _NOT_SHIPPED_WORDS)


def production_dockerfile(files: Iterable[str]) -> str | None:
    """The Dockerfile that builds the image that ships, among the repository's files; None when
    there is none. In order: the guidelines' place (docker/Dockerfile), a Dockerfile named for
    production (Dockerfile.prod, prod.Dockerfile; the shallowest first), Docker's default place
    (the root Dockerfile), then any other, shallowest then alphabetical first. Development and
    test variants never count. Names are matched in any case (docker/dockerfile)."""
    candidates = [path for path in files if is_dockerfile(path) and not is_development_file(path)]

    def rank(path: str) -> tuple[int, int, str]:
        lowered = path.lower()
        name = PurePosixPath(lowered).name
        if lowered == "docker/dockerfile":
            place = 0
        elif _words(name) & _PRODUCTION_WORDS:
            place = 1
        elif lowered == "dockerfile":
            place = 2
        else:
            place = 3
        return place, lowered.count("/"), path

    return min(candidates, key=rank) if candidates else None


_TARGET_FLAG = re.compile(r"--target(?:=|\s+)[\"']?([\w.-]+)")
_TARGET_KEY = re.compile(r"^\s*-?\s*target:\s*[\"']?([\w.-]+)", re.MULTILINE)


def built_targets(texts: Iterable[str]) -> set[str]:
    """The stage names a repository builds: `docker build --target X` in any script or
    workflow, `target: X` in compose, skaffold or build actions."""
    found: set[str] = set()
    for text in texts:
        found.update(_TARGET_FLAG.findall(text))
        found.update(_TARGET_KEY.findall(text))
    return {target.lower() for target in found}


# A RUN that only tests or lints: the stage exists for CI, not to ship.
_TEST_COMMAND = re.compile(
    r"\b(go\s+(test|vet)|(npm|pnpm|yarn|bun)\s+(run\s+)?(test|lint|coverage)\w*|pytest|jest|vitest"
    r"|ruff|mypy|eslint|golangci-lint|make\s+(test|lint|check))\b"
)


def is_ci_stage(stage: Stage) -> bool:
    """A stage for tests or CI: named so (test, ci, lint, dev), or one that only runs tests and
    sets no command to serve."""
    if stage.name and _words(stage.name) & _NOT_SHIPPED_WORDS:
        return True
    runs = [i for i in stage.instructions if i.keyword == "RUN"]
    serves = any(i.keyword in ("CMD", "ENTRYPOINT") for i in stage.instructions)
    return bool(runs) and not serves and all(_TEST_COMMAND.search(i.arguments) for i in runs)


def deployed_stage(parsed: list[Stage], targets: Collection[str] = ()) -> Stage:
    """The stage whose image ships, not blindly the last one. In order: a stage the repository
    builds with `--target` (or compose's `target:`) that is not a test stage; else the last stage
    named prod, production, release, runtime or final; else the last stage that is not a test or
    CI stage; else the last stage."""
    shippable = [stage for stage in parsed if not is_ci_stage(stage)]
    for chosen in (
        [s for s in shippable if s.name and s.name.lower() in targets],
        [s for s in shippable if s.name and _words(s.name) & _PRODUCTION_WORDS],
        shippable,
    ):
        if chosen:
            return chosen[-1]
    return parsed[-1]


_COPY_FROM = re.compile(r"--from=[\"']?([^\s\"']+)")


def shipped_stages(parsed: list[Stage], deployed: Stage) -> list[Stage]:
    """The stages the deployed image is made of: itself, the stages it starts from, and those
    it copies from (`COPY --from`), transitively; in file order."""
    by_name = {stage.name.lower(): stage for stage in parsed if stage.name}
    by_index = {str(index): stage for index, stage in enumerate(parsed)}
    seen: list[Stage] = []
    pending = [deployed]
    while pending:
        stage = pending.pop()
        if any(stage is known for known in seen):
            continue
        seen.append(stage)
        sources = [stage.base] + [
            match for i in stage.instructions if i.keyword == "COPY"
            for match in _COPY_FROM.findall(i.arguments)
        ]  # fmt: skip
        for source in sources:
            found = by_name.get(source.lower()) or by_index.get(source)
            if found is not None:
                pending.append(found)
    return [stage for stage in parsed if any(stage is known for known in seen)]


def copies_from_another_stage(parsed: list[Stage], deployed: Stage) -> bool:
    """Whether the deployed image (or a stage it starts from) copies its build from elsewhere
    (`COPY --from`): build tools then stay out of it."""
    by_name = {stage.name.lower(): stage for stage in parsed if stage.name}
    visited: list[Stage] = []
    stage: Stage | None = deployed
    while stage is not None and not any(stage is known for known in visited):
        visited.append(stage)
        if any(i.keyword == "COPY" and _COPY_FROM.search(i.arguments) for i in stage.instructions):
            return True
        stage = by_name.get(stage.base.lower())
    return False
