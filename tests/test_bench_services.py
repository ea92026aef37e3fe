"""The pure logic of `make bench-services` (benchmarks/services.py) and of the two benchmark parts
of docs/benchmarks.md (benchmarks/report.py): what wrk and PostgreSQL print, read back; SQL
normalised; ratios taken within rounds. Nothing here is timed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.report import markers, replace_part
from benchmarks.services import (
    Load,
    Options,
    Result,
    Statement,
    backend_section,
    framework_versions,
    normalise,
    normalised,
    parse_log,
    parse_wrk,
    ratio_medians,
)

REPO_ROOT = Path(__file__).resolve().parents[1]

# wrk 4.1.0's report, as `wrk --latency` prints it.
WRK = """\
Running 3s test @ http://127.0.0.1:41234/api/v1/items
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    18.21ms   10.02ms    1.32s    90.12%
    Req/Sec     1.74k   123.45     1.90k    70.00%
  Latency Distribution
     50%  816.00us
     75%   20.01ms
     90%   25.00ms
     99%    1.32s
  5211 requests in 3.00s, 5.12MB read
Requests/sec:   1737.12
Transfer/sec:      1.71MB
"""


def test_wrk_report_gives_rate_and_percentiles_in_milliseconds() -> None:
    load = parse_wrk(WRK)
    assert (load.requests_per_second, load.p99_ms, load.failures) == (1737.12, 1320.0, 0)
    assert load.p50_ms == pytest.approx(0.816)


def test_wrk_failures_count_error_answers_and_socket_errors() -> None:
    failing = WRK.replace(
        "Requests/sec:",
        "  Socket errors: connect 0, read 2, write 0, timeout 5\n"
        "  Non-2xx or 3xx responses: 40\nRequests/sec:",
    )
    assert parse_wrk(failing).failures == 47


def test_wrk_output_without_a_rate_is_an_error() -> None:
    with pytest.raises(ValueError, match="unexpected wrk output"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


# PostgreSQL's log with log_line_prefix '@@ %p %d @@ ' and log_statement = 'all': two services'
# databases, a reload message with no database, a statement on two lines, a prepared statement.
LOG = """\
@@ 700  @@ LOG:  received SIGHUP, reloading configuration files
@@ 812 bench_generated @@ LOG:  statement: BEGIN
@@ 812 bench_generated @@ LOG:  execute <unnamed>: SELECT items.id, items.name
\tFROM items ORDER BY items.created_at DESC, items.id
\t LIMIT $1::INTEGER OFFSET $2::INTEGER
@@ 812 bench_generated @@ DETAIL:  parameters: $1 = '10', $2 = '0'
@@ 813 bench_baseline @@ LOG:  execute stmtcache_8f: SELECT id FROM items WHERE name = $1
@@ 813 bench_baseline @@ DETAIL:  parameters: $1 = 'it''s'
@@ 812 bench_generated @@ LOG:  statement: ROLLBACK
"""


def test_log_gives_one_databases_statements_with_their_parameters() -> None:
    assert parse_log(LOG, "bench_generated") == [
        Statement("BEGIN"),
        Statement(
            "SELECT items.id, items.name\nFROM items ORDER BY items.created_at DESC, items.id\n"
            " LIMIT $1::INTEGER OFFSET $2::INTEGER",
            {1: "'10'", 2: "'0'"},
        ),
        Statement("ROLLBACK"),
    ]
    assert parse_log(LOG, "bench_baseline") == [
        Statement("SELECT id FROM items WHERE name = $1", {1: "'it''s'"})
    ]


def test_null_parameters_are_read() -> None:
    log = (
        "@@ 9 db @@ LOG:  execute <unnamed>: SELECT $1::text IS NULL, $2\n"
        "@@ 9 db @@ DETAIL:  parameters: $1 = NULL, $2 = '3'\n"
    )
    assert parse_log(log, "db") == [Statement("SELECT $1::text IS NULL, $2", {1: "NULL", 2: "'3'"})]


def test_same_query_in_another_drivers_style_normalises_alike() -> None:
    pg = Statement(
        'SELECT "id", name FROM items\n  ORDER BY created_at DESC, id LIMIT $1 OFFSET $2;',
        {1: "'10'", 2: "'0'"},
    )
    # Numbered the other way round, in upper case, one line: the same query with the same values.
    other = Statement(
        "select ID, NAME from ITEMS order by CREATED_AT desc, ID limit $2 offset $1",
        {2: "'10'", 1: "'0'"},
    )
    assert normalise(pg) == normalise(other)
    assert (
        normalise(pg)
        == "select id, name from items order by created_at desc, id limit '10' offset '0'"
    )


def test_spaces_inside_parentheses_normalise_away() -> None:
    # Prisma's $queryRaw leaves a space where an empty fragment (no filter) was interpolated.
    assert normalise(Statement('SELECT ( SELECT count(*) FROM "items" ) AS total')) == normalise(
        Statement("SELECT (SELECT count(*) FROM items) AS total")
    )


def test_different_values_or_text_normalise_differently() -> None:
    page = "SELECT id FROM items LIMIT $1 OFFSET $2"
    first = Statement(page, {1: "'10'", 2: "'0'"})
    assert normalise(first) != normalise(Statement(page, {1: "'100'", 2: "'0'"}))
    assert normalise(first) != normalise(
        Statement(page.replace("id FROM", "id, name FROM"), {1: "'10'", 2: "'0'"})
    )


def test_client_side_placeholders_and_comments() -> None:
    assert normalise(Statement("SELECT /* page */ id FROM items LIMIT %(limit)s -- x")) == (
        "select id from items limit ?"
    )
    assert normalise(Statement("SELECT %s")) == "select ?"


def test_a_pools_empty_ping_is_a_round_trip_too() -> None:
    pings = normalised([Statement("-- ping"), Statement(";")])
    assert pings == ["(empty statement)", "(empty statement)"]
    assert normalised([Statement(";"), Statement("SELECT 1")]) != normalised(
        [Statement("SELECT 1")]
    )


def test_extra_transaction_statements_make_the_sql_differ() -> None:
    page = Statement("SELECT id FROM items")
    assert normalised([Statement("BEGIN"), page, Statement("ROLLBACK")]) != normalised([page])


def test_ratios_are_taken_within_each_round_then_their_median() -> None:
    generated = [Load(800, 2.0, 10.0, 0), Load(400, 4.0, 30.0, 0), Load(900, 2.0, 9.0, 0)]
    # The machine slowed down in round 2 for both: within the round the ratio holds.
    baseline = [Load(1000, 1.0, 5.0, 0), Load(500, 2.0, 10.0, 0), Load(1000, 1.0, 6.0, 0)]
    assert ratio_medians(generated, baseline) == (0.8, 2.0, 2.0)


def test_framework_versions_come_from_the_generated_lock_files(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "# pinned\nfastapi==0.165.0\nuvicorn[standard]==0.54.0\npydantic==2.14.3\n"
        "pydantic-settings==2.16.3\npsycopg[binary]==3.3.9\n"
    )
    assert framework_versions("fastapi", tmp_path) == {
        "fastapi": "0.165.0",
        "uvicorn": "0.54.0",
        "pydantic": "2.14.3",
        "psycopg": "3.3.9",
    }
    lock = {
        "packages": {
            "node_modules/express": {"version": "5.3.1"},
            "node_modules/pg": {"version": "8.23.1"},
        }
    }
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    assert framework_versions("node", tmp_path) == {"express": "5.3.1", "pg": "8.23.1"}
    (tmp_path / "go.mod").write_text(
        "module x\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.12.0\n"
        "\tgithub.com/jackc/pgx/v5 v5.12.0\n)\n"
    )
    assert framework_versions("go", tmp_path) == {
        "github.com/gin-gonic/gin": "v1.12.0",
        "github.com/jackc/pgx/v5": "v5.12.0",
    }


def test_a_lock_without_the_framework_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module x\n\nrequire github.com/jackc/pgx/v5 v5.12.0\n")
    with pytest.raises(RuntimeError, match="gin"):
        framework_versions("go", tmp_path)


def test_each_benchmark_writes_only_its_own_part_of_the_document() -> None:
    document = (REPO_ROOT / "docs/benchmarks.md").read_text()
    bench_start, bench_end = markers("bench")
    services_start = markers("bench-services")[0]
    assert document.index(bench_end) < document.index(services_start)
    rewritten = replace_part(document, "bench-services", "## Services\n\nnew numbers")
    assert "new numbers" in rewritten
    untouched = document.split(services_start)[0]
    assert rewritten.startswith(untouched)
    again = replace_part(rewritten, "bench", "new CLI timings")
    assert f"{bench_start}\n\nnew CLI timings\n\n{bench_end}" in again
    assert "new numbers" in again
    assert again.startswith("# Benchmarks\n")


def test_a_missing_part_is_appended_and_a_broken_one_refused() -> None:
    assert replace_part("# Title\n", "bench", "x") == (
        f"# Title\n\n{markers('bench')[0]}\n\nx\n\n{markers('bench')[1]}\n"
    )
    with pytest.raises(ValueError, match="no"):
        replace_part(f"{markers('bench')[0]}\nno end", "bench", "x")


def result(generated_sql: list[Statement], baseline_sql: list[Statement]) -> Result:
    return Result(
        stack="go",
        versions={"github.com/gin-gonic/gin": "v1.12.0"},
        generated=[Load(950, 2.0, 9.0, 0), Load(450, 4.0, 20.0, 0)],
        baseline=[Load(1000, 2.0, 6.0, 0), Load(500, 4.0, 10.0, 0)],
        cold_start_ms=(20.0, 10.0),
        rss_mib=(30.0, 20.0),
        sql=(generated_sql, baseline_sql),
        same_answer=True,
        test_command="make test",
        test_seconds=30.0,
        test_passed=True,
        language="Go 1.27.0",
        how="go build",
    )


def test_the_report_gives_ratios_against_the_targets_when_the_sql_is_the_same() -> None:
    page = Statement("SELECT id FROM items LIMIT $1", {1: "'10'"})
    table = "\n".join(backend_section(result([page], [page]), Options(2, 10, 5, 5, True)))
    assert "| `GET /api/v1/items`, req/s | 700 | 750 | 0.93x | >= 0.9x | yes |" in table
    assert "| p99 latency | 14.50 ms | 8.00 ms | 1.75x | <= 1.5x | **no** |" in table
    assert "SQL differs" not in table


def test_the_report_claims_no_ratio_when_the_sql_differs() -> None:
    page = Statement("SELECT id FROM items LIMIT $1", {1: "'10'"})
    lines = backend_section(result([Statement("BEGIN"), page], [page]), Options(2, 10, 5, 5, True))
    rows = [line for line in lines if line.startswith(("| `GET", "| p50", "| p99"))]
    assert all("SQL differs" in row and "x |" not in row for row in rows)
    assert any("different statements" in line for line in lines)
