"""The labels of the database query metrics (guidelines 5.3), from the statement's text alone."""

import asyncio

import pytest
from httpx import AsyncClient
from prometheus_client import REGISTRY
from psycopg import OperationalError
from psycopg.errors import NotNullViolation, QueryCanceled, UniqueViolation

from app.db.query_metrics import Query, classify, error_type
from app.main import create_app
from tests.conftest import UNREACHABLE_DATABASE, make_settings


@pytest.mark.parametrize(
    ("statement", "operation", "table"),
    [
        ("SELECT id, name FROM items WHERE id = %(id)s", "select", "items"),
        ("INSERT INTO items (name) VALUES (%(name)s) RETURNING items.id", "insert", "items"),
        ("UPDATE items SET name=%(name)s WHERE items.id = %(id)s", "update", "items"),
        ("DELETE FROM items WHERE items.id = %(id)s RETURNING items.id", "delete", "items"),
        ("  select 1 from Items", "select", "items"),  # the verb and the name, folded
        ("/* a comment */\n-- another\nSELECT * FROM items", "select", "items"),
        ("MERGE INTO items USING staged ON items.id = staged.id", "other", "items"),
        ("TRUNCATE items", "other", "unknown"),
    ],
)
def test_each_verb_is_its_operation_and_the_first_table_its_table(
    statement: str, operation: str, table: str
) -> None:
    assert classify(statement) == Query(operation, table)


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("SELECT * FROM public.items", "items"),  # without its schema
        ("SELECT * FROM Public.Items", "items"),  # unquoted: folded as PostgreSQL does
        ('SELECT * FROM "Public"."MediaItems"', "MediaItems"),  # quoted: as written
        ('UPDATE ONLY "say ""hi""" SET a = 1', 'say "hi"'),
        ("DELETE FROM ONLY archive.items WHERE true", "items"),
        ("INSERT INTO catalog.media.items VALUES (1)", "items"),
        ("SELECT * FROM ÉTÉ", "ÉtÉ"),  # only ASCII letters fold, as in a UTF-8 database
    ],
)
def test_the_table_is_unquoted_without_its_schema(statement: str, table: str) -> None:
    query = classify(statement)
    assert query is not None
    assert query.table == table


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        # SQLAlchemy's count of a filtered list: the table is in the subquery.
        (
            "SELECT count(*) AS count_1 FROM (SELECT items.id AS id FROM items"
            " WHERE items.name ILIKE %(name_1)s ESCAPE '\\') AS anon_1",
            "items",
        ),
        ("SELECT EXISTS (SELECT 1 FROM items WHERE items.id = %(id)s) AS anon_1", "items"),
        # FROM in a function call or in a literal names no table.
        ("SELECT extract(year FROM created_at) FROM events", "events"),
        ("SELECT 'from quotes', $$ from dollars $$, $t$ from tags $t$ FROM events", "events"),
        ("SELECT $1 FROM events", "events"),
        ("(SELECT a FROM first) UNION (SELECT a FROM second)", "first"),
        ("SELECT 1", "unknown"),
        ("SELECT now(), pg_sleep(1)", "unknown"),
    ],
)
def test_a_select_names_the_first_table_it_reads_or_unknown(statement: str, table: str) -> None:
    assert classify(statement) == Query("select", table)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "WITH recent AS (SELECT * FROM items) SELECT name FROM recent",
            Query("select", "recent"),
        ),
        (
            "WITH moved AS (DELETE FROM inbox RETURNING *) INSERT INTO archive SELECT * FROM moved",
            Query("insert", "archive"),
        ),
        (
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 3),"
            ' "Other" as not materialized (select 2) update items set v = 1',
            Query("update", "items"),
        ),
        ("WITH gone AS (SELECT 1) DELETE FROM items", Query("delete", "items")),
        # A main statement in parentheses is not read: other, with the first table named.
        ("WITH x AS (SELECT * FROM items) (SELECT * FROM x)", Query("other", "items")),
    ],
)
def test_with_takes_the_verb_and_table_of_its_main_statement(
    statement: str, expected: Query
) -> None:
    assert classify(statement) == expected


@pytest.mark.parametrize(
    "statement",
    [
        "BEGIN",
        "begin isolation level serializable",
        "START TRANSACTION",
        "COMMIT",
        "END",
        "ROLLBACK",
        "ABORT",
        "SAVEPOINT sa_savepoint_1",
        "ROLLBACK TO SAVEPOINT sa_savepoint_1",
        "RELEASE SAVEPOINT sa_savepoint_1",
        "PREPARE TRANSACTION 'tx'",
        "SET statement_timeout = 100",
        "RESET ALL",
        "SHOW server_version",
        "DEALLOCATE ALL",
        "DISCARD ALL",
        "LISTEN changes",
        "UNLISTEN *",
        "",
        "  -- nothing but a comment",
    ],
)
def test_transaction_and_session_statements_are_not_recorded(statement: str) -> None:
    assert classify(statement) is None


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT a) FROM items", Query("select", "items")),
        ("SELECT * FROM items.", Query("select", "items")),
        ("SELECT (a FROM", Query("select", "unknown")),
        ("SELECT 'never closed' FROM 'items", Query("select", "unknown")),
        ("INSERT /* never closed", Query("insert", "unknown")),
        ("UPDATE", Query("update", "unknown")),
        ("WITH", Query("other", "unknown")),
        ("\\x ;; = 1", None),  # no verb: nothing to record
        ("", None),
    ],
)
def test_a_malformed_statement_is_labelled_all_the_same(
    statement: str, expected: Query | None
) -> None:
    """The labels are read in the engine's events: no statement may make them fail."""
    assert classify(statement) == expected


def test_a_statement_is_classified_once() -> None:
    statement = "SELECT name FROM items WHERE id = %(id)s -- cached"
    classify(statement)
    hits = classify.cache_info().hits
    assert classify(statement) == Query("select", "items")
    assert classify.cache_info().hits == hits + 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (UniqueViolation("duplicate key"), "23505"),
        (NotNullViolation("null value"), "23502"),
        (QueryCanceled("statement timeout"), "57014"),
        # No answer from the server: refused or lost, or cancelled on the client side.
        (OperationalError("connection refused"), "connection"),
        (asyncio.CancelledError(), "connection"),
        (TimeoutError(), "connection"),
    ],
)
def test_the_error_type_is_the_servers_sqlstate_else_connection(
    error: BaseException, expected: str
) -> None:
    assert error_type(error) == expected


async def test_db_connections_max_is_the_pool_size(metrics_client: AsyncClient) -> None:
    app = create_app(make_settings(UNREACHABLE_DATABASE, db_pool_size=7))
    text = (await metrics_client.get("/metrics")).text
    assert "\ndb_connections_max 7.0\n" in text
    assert "\ndb_connections_active 0.0\n" in text
    await app.state.engine.dispose()


async def test_no_statement_is_recorded_when_no_connection_opens(
    offline_client: AsyncClient,
) -> None:
    """A refused connection sends no statement: the probes' queries are not counted."""

    def errors() -> float:
        return sum(
            sample.value
            for metric in REGISTRY.collect()
            if metric.name == "db_query_errors"
            for sample in metric.samples
            if sample.name == "db_query_errors_total"
        )

    before = errors()
    assert (await offline_client.get("/ready")).status_code == 503
    assert errors() == before
