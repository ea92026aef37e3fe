"""The one error type the CLI turns into a one-line message and exit code 2."""


class ScaffoldError(Exception):
    """Bad input or an unusable template; the message is shown to the user as is."""

    exit_code = 2
