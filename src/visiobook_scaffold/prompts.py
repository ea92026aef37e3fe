"""`visiobook new` on a terminal: ask what the command line did not give, in copier.yml's
order, then show every answer and ask before anything is written.

A default is shown greyed and Enter takes it; typing replaces it. Choices are menus (arrow
keys and Enter), yes/no a y/N question. A refused answer is one line under the question,
then the question again. From the summary, "Change an answer" asks one question again: the
answers left at their defaults follow it (the description follows the name), and an answer
it makes wrong is asked again, with the reason.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from visiobook_scaffold.errors import InterruptError, ScaffoldError
from visiobook_scaffold.generate import check_destination
from visiobook_scaffold.questions import Form, Progress, Question
from visiobook_scaffold.template import TemplateConfig

FOLDER = "folder"
"""Not a template answer: where the service is written (`new`'s DEST argument)."""

CREATE, CHANGE, CANCEL = "create", "change", "cancel"

MENU_INDENT = "   "
"""What questionary puts before a menu entry (its pointer, or room for it)."""

STYLE = questionary.Style(
    [
        ("qmark", "fg:ansicyan bold"),
        ("question", "bold"),
        ("answer", "fg:ansicyan"),
        ("instruction", "fg:ansibrightblack"),
        ("placeholder", "fg:ansibrightblack"),
    ]
)


@dataclass(frozen=True)
class Answered:
    folder: Path
    answers: dict[str, Any]
    """Every answer the template asks, typed as Copier stores it: Copier needs ask nothing."""


def can_ask(config: TemplateConfig) -> bool:
    """Whether these prompts evaluate every question of this copier.yml (else Copier asks)."""
    return not Form.unsupported(config.specs, config.settings)


def ask(config: TemplateConfig, given: Mapping[str, Any], folder: Path | None) -> Answered:
    """Ask for every answer not `given` (and the folder, when None); then the summary.

    A given answer the template refuses is an error, as without a terminal. Ctrl-C, end of
    input, or "Cancel" at the summary raise InterruptError: nothing was written."""
    # The folder is asked after the name it defaults to (or last, for a template without one).
    after = {"service_name": _folder_question} if folder is None else {}
    form = Form(config.specs, config.root, after=after, settings=config.settings)
    chosen: dict[str, Any] = dict(given)
    accepted: set[str] = set()
    offered: dict[str, Any] = {}
    reviewed = False
    try:
        while True:
            progress = form.resolve(chosen, accepted)
            question = progress.pending
            if question is None:
                action = _review(progress, folder)
                if action == CREATE:
                    answers = dict(progress.answers)
                    where = Path(answers.pop(FOLDER)).expanduser() if folder is None else folder
                    return Answered(where, answers)
                if action == CANCEL:
                    raise InterruptError("cancelled: nothing was written")
                key = _pick(progress)
                offered[key] = progress.answers[key]
                chosen.pop(key, None)
                accepted.discard(key)
                reviewed = True
                continue
            if progress.error:
                if question.key in given and not reviewed:
                    raise ScaffoldError(progress.error)
                questionary.print(f"  ✖ {progress.error}", style="fg:ansired")
            answer = _ask_one(question, offered.pop(question.key, question.default))
            accepted.add(question.key)
            if question.is_default(answer):
                chosen.pop(question.key, None)  # left at its default: it follows the others
            else:
                chosen[question.key] = answer
    except (KeyboardInterrupt, EOFError):
        raise InterruptError("interrupted: nothing was written") from None


def _folder_question(answers: Mapping[str, Any]) -> Question:
    def refusal(value: Any) -> str:
        if not str(value).strip():
            return "the folder must be named"
        try:
            check_destination(Path(str(value)).expanduser())
        except ScaffoldError as error:
            return str(error)
        return ""

    return Question(
        key=FOLDER,
        message="Folder to create (new, or empty)",
        type="str",
        default=str(answers.get("service_name", "")) or None,
        validate=refusal,
    )


def _ask_one(question: Question, default: Any) -> Any:
    """One question on the terminal; returns the answer as typed or chosen."""
    if question.choices:
        choices = [
            questionary.Choice(
                _fit(choice.title), value=choice.value, disabled=choice.disabled or None
            )
            for choice in question.choices
        ]
        enabled = [choice.value for choice in question.choices if not choice.disabled]
        chosen = questionary.select(
            question.message,
            choices=choices,
            default=default if default in enabled else None,
            qmark="?",
            instruction="(arrow keys, Enter)",
            style=STYLE,
            erase_when_done=True,
        ).unsafe_ask()
        _echo_answer(question.message, chosen)
        return chosen
    if question.type == "bool":
        return questionary.confirm(
            question.message, default=bool(default), qmark="?", style=STYLE
        ).unsafe_ask()
    shown = "" if default is None else str(default)
    return questionary.text(
        question.message,
        qmark="?",
        style=STYLE,
        placeholder=[("class:placeholder", shown)],
        key_bindings=_enter_takes(shown),
    ).unsafe_ask()


def _echo_answer(message: str, answer: object) -> None:
    """The question with the answer as it is stored (`node`), where the menu, erased once
    answered, would have left the entry picked, which may wrap over several lines."""
    print_formatted_text(
        FormattedText(
            [("class:qmark", "? "), ("class:question", message), ("", " "),
             ("class:answer", str(answer))]
        ),
        style=STYLE,
    )  # fmt: skip


def _fit(title: str) -> str:
    """A menu entry wrapped to the terminal: questionary's menus cut a longer line."""
    width = max(_terminal_columns() - len(MENU_INDENT) - 1, 20)
    return f"\n{MENU_INDENT}".join(textwrap.wrap(title, width) or [title])


def _terminal_columns() -> int:
    """The terminal's own width, as prompt_toolkit measures it (not $COLUMNS)."""
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 80


def _enter_takes(default: str) -> KeyBindings:
    """Enter on an empty line answers the default (shown greyed, not typed in)."""
    bindings = KeyBindings()

    @bindings.add("enter")
    def _accept(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if not buffer.text:
            buffer.insert_text(default)
        buffer.validate_and_handle()

    return bindings


def _review(progress: Progress, folder: Path | None) -> str:
    """Every answer, then: create, change an answer, or cancel."""
    rows = [(question.key, progress.answers[question.key]) for question in progress.settled]
    if folder is not None:
        rows.insert(0, (FOLDER, folder))
    width = max(len(key) for key, _ in rows)
    questionary.print("\nAbout to create:", style="bold")
    for key, value in rows:
        questionary.print(f"  {key:<{width}}  {value}")
    where = progress.answers.get(FOLDER, folder)
    return str(
        questionary.select(
            f"Create it in {where}?",
            choices=[
                questionary.Choice("Yes, create it", value=CREATE),
                questionary.Choice("Change an answer", value=CHANGE),
                questionary.Choice("No, cancel", value=CANCEL),
            ],
            qmark="?",
            instruction="(arrow keys, Enter)",
            style=STYLE,
        ).unsafe_ask()
    )


def _pick(progress: Progress) -> str:
    """The answer to change, chosen from the summary's."""
    return str(
        questionary.select(
            "Which answer?",
            choices=[
                questionary.Choice(
                    f"{question.key}: {progress.answers[question.key]}", question.key
                )
                for question in progress.settled
            ],
            qmark="?",
            instruction="(arrow keys, Enter)",
            style=STYLE,
        ).unsafe_ask()
    )
