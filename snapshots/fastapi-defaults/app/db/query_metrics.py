"""Database query metrics (guidelines 5.3): each statement sent to PostgreSQL is timed in
db_query_duration_seconds, and counted in db_query_errors_total when it fails, labelled with its
operation, its table and, for an error, the SQLSTATE the server answered.

The hooks are the engine's events (`instrument`, called where the engine is made): every
statement of the service goes through them, the API's and the probes' alike, without a wrapper
at each call site. Transaction control (psycopg sends BEGIN itself, SQLAlchemy commits through the
driver) and a pool's ping never reach them, and `classify` skips such statements anyway.
"""

import re
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, ExceptionContext, ExecutionContext

from app.core.metrics import DB_QUERY_DURATION, DB_QUERY_ERRORS


class Query(NamedTuple):
    """The labels of a statement: `operation` and `table`."""

    operation: str
    table: str


# The operations with a label of their own; any other statement that is recorded is `other`.
VERBS = frozenset({"select", "insert", "update", "delete"})
# Transaction control and session statements: not recorded (they name no table, and the stacks
# differ in how many of them they send).
UNRECORDED = frozenset(
    {
        "begin",
        "start",
        "commit",
        "end",
        "rollback",
        "abort",
        "savepoint",
        "release",
        "prepare",
        "set",
        "reset",
        "show",
        "deallocate",
        "discard",
        "listen",
        "unlisten",
    }
)
UNKNOWN_TABLE = "unknown"
# A parenthesis that opens with one of these holds a query, whose FROM names a table; any other
# (a function call such as EXTRACT(year FROM ...), a column list) does not.
QUERY_STARTS = frozenset({"select", "with", "values", "table"})
# The verbs a statement after WITH's common table expressions may start with.
MAIN_VERBS = frozenset({"select", "insert", "update", "delete", "merge", "values", "table"})
# The words before a table: which ones count depends on the statement's verb.
TABLE_AFTER = {
    "insert": frozenset({"into"}),
    "delete": frozenset({"from"}),
    "select": frozenset({"from", "into"}),  # SELECT ... INTO new_table, rare
}
ANY_TABLE = frozenset({"from", "into", "update"})
# Words that may stand between FROM (or UPDATE, DELETE FROM) and the table.
TABLE_PREFIXES = frozenset({"only", "lateral"})

TOKEN = re.compile(
    r"""
    (?P<skip>\s+|--[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>
        [Ee]'(?:[^'\\]|\\.|'')*'  # E'...', with backslash escapes
        |'(?:[^']|'')*'
        |\$\$.*?\$\$|\$(?P<tag>[^\W\d]\w*)\$.*?\$(?P=tag)\$  # dollar-quoted
    )
    |(?P<quoted>"(?:[^"]|"")*")
    |(?P<word>[^\W\d][\w$]*)
    |(?P<number>\d+(?:\.\d*)?(?:[Ee][+-]?\d+)?)
    |(?P<open>\()
    |(?P<close>\))
    |(?P<dot>\.)
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Token(NamedTuple):
    kind: str
    text: str


class Tokens:
    """The statement's tokens, read as far as needed (a long VALUES list is never scanned)."""

    def __init__(self, statement: str) -> None:
        self._tokens = self._scan(statement)
        self._next: Token | None = None

    @staticmethod
    def _scan(statement: str) -> Iterator[Token]:
        for match in TOKEN.finditer(statement):
            kind = match.lastgroup
            if kind is not None and kind != "skip":
                yield Token(kind, match.group())

    def peek(self) -> Token | None:
        if self._next is None:
            self._next = next(self._tokens, None)
        return self._next

    def take(self) -> Token | None:
        token = self.peek()
        self._next = None
        return token

    def word(self) -> str | None:
        """The next token, lowercased, when it is a word."""
        token = self.peek()
        return token.text.lower() if token is not None and token.kind == "word" else None


def identifier(token: Token) -> str:
    """A name as PostgreSQL reads it: unquoted, folded to lowercase (ASCII letters only, as for
    UTF-8 databases); quoted, kept as written."""
    if token.kind == "quoted":
        return token.text[1:-1].replace('""', '"')
    return token.text.translate(ASCII_LOWER)


def table_name(tokens: Tokens) -> str | None:
    """The table named next (the last part of schema.table), or None when no name comes next."""
    while tokens.word() in TABLE_PREFIXES:
        tokens.take()
    token = tokens.peek()
    if token is None or token.kind not in {"word", "quoted"}:
        return None
    tokens.take()
    name = identifier(token)
    while (dot := tokens.peek()) is not None and dot.kind == "dot":
        tokens.take()
        part = tokens.peek()
        if part is None or part.kind not in {"word", "quoted"}:
            break
        tokens.take()
        name = identifier(part)
    return name


def first_table(tokens: Tokens, keywords: frozenset[str]) -> str:
    """The table after the first of `keywords` (FROM, INTO, ...) that belongs to a query: at the
    top level or in a subquery, not in a function call."""
    queries: list[bool] = []  # per open parenthesis: does it hold a query?
    while (token := tokens.take()) is not None:
        if token.kind == "open":
            queries.append(tokens.word() in QUERY_STARTS)
        elif token.kind == "close":
            if queries:
                queries.pop()
        elif (
            token.kind == "word"
            and token.text.lower() in keywords
            and (not queries or queries[-1])
            and (name := table_name(tokens)) is not None
        ):
            return name
    return UNKNOWN_TABLE


def main_verb(tokens: Tokens) -> str | None:
    """After WITH, the verb of the main statement: a verb at the top level right after the
    parenthesis that closes a common table expression (not the one of its column names)."""
    depth = 0
    after_close = False
    while (token := tokens.take()) is not None:
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth -= 1
            after_close = depth == 0
            continue
        elif depth == 0 and after_close and (verb := token.text.lower()) in MAIN_VERBS:
            return verb
        after_close = False
    return None


@lru_cache(maxsize=1024)
def classify(statement: str) -> Query | None:
    """The `operation` and `table` labels of a statement, or None for one not recorded
    (transaction control, a session statement, nothing at all)."""
    tokens = Tokens(statement)
    while (token := tokens.peek()) is not None and token.kind == "open":
        tokens.take()  # (SELECT ...) UNION (SELECT ...)
    verb = tokens.word()
    if verb is None or verb in UNRECORDED:
        return None
    tokens.take()
    if verb == "with":
        verb = main_verb(tokens)
        if verb is None:  # a main statement this does not read: the first table named
            return Query("other", first_table(Tokens(statement), ANY_TABLE))
    if verb == "update":  # UPDATE [ONLY] table
        table = table_name(tokens) or UNKNOWN_TABLE
    else:
        table = first_table(tokens, TABLE_AFTER.get(verb, ANY_TABLE))
    return Query(verb if verb in VERBS else "other", table)


def error_type(error: BaseException) -> str:
    """The SQLSTATE the server answered (23505, 57014, ...), else `connection`: no answer came
    (the connection was lost, or the client cancelled the statement). A connection refused sends
    no statement: it counts in no query metric."""
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and len(sqlstate) == 5:
        return sqlstate
    return "connection"


# When the statement each execution (or, without one, each connection) runs was sent: the
# events of one statement share its execution context, and a connection runs one at a time.
STARTED: WeakKeyDictionary[object, float] = WeakKeyDictionary()


def statement_sent(
    connection: Connection,
    _cursor: Any,
    _statement: str,
    _parameters: Any,
    context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    STARTED[context or connection] = time.perf_counter()


def statement_answered(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    started = STARTED.pop(context or connection, None)
    query = classify(statement)
    if started is not None and query is not None:
        DB_QUERY_DURATION.labels(*query).observe(time.perf_counter() - started)


def statement_failed(context: ExceptionContext) -> None:
    # Only a statement that was sent has a start: not one that failed before (nor a connection
    # that could not be opened, a failed commit, a failed ping: they have no statement).
    key = context.execution_context or context.connection
    started = STARTED.pop(key, None) if key is not None else None
    query = classify(context.statement) if context.statement is not None else None
    if started is not None and query is not None:
        DB_QUERY_DURATION.labels(*query).observe(time.perf_counter() - started)
        DB_QUERY_ERRORS.labels(*query, error_type(context.original_exception)).inc()


def instrument(engine: Engine) -> None:
    """Record the metrics of every statement the engine sends (for an AsyncEngine: its
    sync_engine, where SQLAlchemy runs the events)."""
    event.listen(engine, "before_cursor_execute", statement_sent)
    event.listen(engine, "after_cursor_execute", statement_answered)
    event.listen(engine, "handle_error", statement_failed)
