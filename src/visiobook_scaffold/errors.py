"""The error types the CLI turns into a one-line message and an exit code (2, or 130 for Ctrl-C)."""

import re


class ScaffoldError(Exception):
    """Bad input or an unusable template; the message is shown to the user as is."""

    exit_code = 2


class InterruptError(ScaffoldError):
    """Ctrl-C (SIGINT), once what was half-done is undone: exit 130, as shells expect."""

    exit_code = 130


def one_line(error: BaseException) -> str:
    """An exception's message as one line: the first and last of its lines."""
    text = str(error).strip()
    if not text:
        return f"generation failed: {type(error).__name__}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # A git command that failed under Copier: its exit code says nothing, git's first reason
    # does (ssh's, or git's first `fatal:`; later ones such as "Could not read from remote
    # repository." only follow from it).
    reasons = [
        line.split("fatal: ", 1)[1] if "fatal: " in line else line.split("| ", 1)[1]
        for line in lines
        if "fatal: " in line or "| ssh: " in line
    ]
    if reasons:
        return f"git: {reasons[0]}"[:300]
    message = lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"[:300]
    # The template's validators name the answer themselves ("service_name must be ...").
    return COPIER_VALIDATION_PREFIX.sub("", message)


COPIER_VALIDATION_PREFIX = re.compile(r"^Validation error for question '[^']*': ")
