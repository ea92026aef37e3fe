"""The command-line reference in Markdown, read from the Typer app's own commands, parameters and
help, so the documentation site cannot say other than `--help` (scripts/docs_site.py writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

GENERATED = (
    "<!-- Generated from the CLI's own help by scripts/docs_site.py: edit cli.py instead. -->"
)
EXIT_CODES = "Exit code"
NO_DEFAULT = "—"


@dataclass(frozen=True)
class Row:
    """One parameter as the reference shows it."""

    declaration: str  # `-d, --data KEY=VALUE`, or an argument's metavar
    names: tuple[str, ...]  # every flag of an option (`-d`, `--data`), or the argument's metavar
    help: str
    default: str


@dataclass(frozen=True)
class Command:
    """One command: what `visiobook NAME --help` says, in parts."""

    name: str
    usage: str
    paragraphs: tuple[str, ...]
    exit_codes: tuple[str, ...]
    arguments: tuple[Row, ...]
    options: tuple[Row, ...]


def commands(app: typer.Typer, program: str) -> list[Command]:
    """Every visible command of `app`, in the order `--help` lists them."""
    root = typer.main.get_command(app)
    if not isinstance(root, TyperGroup):
        raise TypeError("the reference is for an app with subcommands")
    root_ctx = root.context_class(root, info_name=program)
    found = []
    for name in root.list_commands(root_ctx):
        command = root.get_command(root_ctx, name)
        if command is None or command.hidden:
            continue
        ctx = command.context_class(command, info_name=name, parent=root_ctx)
        described = _paragraphs(command.help or "")
        exit_codes = tuple(text for text in described if text.startswith(EXIT_CODES))
        rows = [
            _row(param, ctx)
            for param in command.get_params(ctx)
            if not getattr(param, "hidden", False)
        ]
        found.append(
            Command(
                name=name,
                usage=command.get_usage(ctx).removeprefix("Usage:").strip(),
                paragraphs=tuple(text for text in described if text not in exit_codes),
                exit_codes=exit_codes,
                arguments=tuple(row for row, kind in rows if kind == "argument"),
                options=tuple(row for row, kind in rows if kind == "option"),
            )
        )
    return found


def global_options(app: typer.Typer, program: str) -> list[Row]:
    """The options `visiobook` itself takes, before any command."""
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name=program)
    return [
        _row(param, ctx)[0] for param in root.get_params(ctx) if not getattr(param, "hidden", False)
    ]


def command_page(command: Command, program: str) -> str:
    """The Markdown page of one command."""
    lines = [GENERATED, "", f"# {program} {command.name}", ""]
    if command.paragraphs:
        lines += [command.paragraphs[0], ""]
    lines += ["```text", command.usage, "```", ""]
    for text in command.paragraphs[1:]:
        lines += [text, ""]
    if command.arguments:
        lines += ["## Arguments", "", *_table("argument", command.arguments), ""]
    lines += ["## Options", "", *_table("option", command.options), ""]
    if command.exit_codes:
        lines += ["## Exit codes", ""]
        for text in command.exit_codes:
            lines += [text, ""]
    return "\n".join(lines)


def index_page(app: typer.Typer, program: str, title: str) -> str:
    """The commands' overview: each command with its one-line help, then the global options."""
    root = typer.main.get_command(app)
    lines = [GENERATED, "", f"# {title}", ""]
    lines += [*_paragraphs(root.help or ""), ""]
    lines += ["| command | what it does |", "| --- | --- |"]
    for command in commands(app, program):
        summary = command.paragraphs[0] if command.paragraphs else ""
        lines.append(f"| [`{program} {command.name}`]({command.name}.md) | {_cell(summary)} |")
    lines += ["", f"Options of `{program}` itself:", ""]
    lines += [*_table("option", global_options(app, program)), ""]
    return "\n".join(lines)


def _paragraphs(text: str) -> list[str]:
    """Help text as paragraphs, each on one line (the docstring's own line breaks dropped)."""
    blocks = text.strip().split("\n\n")
    return [" ".join(block.split()) for block in blocks if block.strip()]


def _row(param: Any, ctx: Any) -> tuple[Row, str]:
    kind = str(param.param_type_name)
    if kind == "argument":
        metavar = str(param.metavar or param.name.upper())
        names: tuple[str, ...] = (metavar,)
        declaration = metavar
    else:
        names = (*param.opts, *param.secondary_opts)
        record = param.get_help_record(ctx)
        declaration = record[0] if record else ", ".join(names)
    help_text = " ".join(str(getattr(param, "help", None) or "").split())
    return Row(declaration, names, help_text, _default(param)), kind


def _default(param: Any) -> str:
    value = param.default
    if getattr(param, "is_flag", False) and isinstance(value, bool):
        return "on" if value else "off"
    if value is None or value == () or value == []:
        return NO_DEFAULT
    return f"`{value}`"


def _table(heading: str, rows: tuple[Row, ...] | list[Row]) -> list[str]:
    lines = [f"| {heading} | meaning | default |", "| --- | --- | --- |"]
    lines += [f"| `{row.declaration}` | {_cell(row.help)} | {row.default} |" for row in rows]
    return lines


def _cell(text: str) -> str:
    """Text that stays in its table cell: a `|` outside code spans is escaped (Python-Markdown's
    tables take one inside a code span as it is, and would show the escape)."""
    pieces = text.split("`")  # odd pieces are inside code spans
    return "`".join(
        piece if index % 2 else piece.replace("|", "\\|") for index, piece in enumerate(pieces)
    )
