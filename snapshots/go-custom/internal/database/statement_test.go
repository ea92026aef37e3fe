package database

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

func TestClassifyStatementNamesTheVerbAndTheFirstTable(t *testing.T) {
	for sql, want := range map[string]Statement{
		// Each verb, as the repositories write them.
		"SELECT id, name FROM items WHERE id = $1":                           {"select", "items"},
		"select count(*) from items where $1::text is null":                  {"select", "items"},
		"INSERT INTO items (name, description) VALUES ($1, $2) RETURNING id": {"insert", "items"},
		"UPDATE items SET name = $2 WHERE id = $1 RETURNING id":              {"update", "items"},
		"DELETE FROM items WHERE id = $1":                                    {"delete", "items"},
		// Names: unquoted ones fold to lower case, quoted ones keep theirs; the schema is dropped.
		"SELECT * FROM Items":                           {"select", "items"},
		`SELECT * FROM "Items"`:                         {"select", "Items"},
		`INSERT INTO "My ""Odd"" Table" DEFAULT VALUES`: {"insert", `My "Odd" Table`},
		"DELETE FROM public.items WHERE true":           {"delete", "items"},
		`UPDATE "Media"."Items" SET name = 'x'`:         {"update", "Items"},
		"SELECT * FROM catalog.public.Items":            {"select", "items"},
		"UPDATE ONLY items SET version = 1":             {"update", "items"},
		"DELETE FROM ONLY items":                        {"delete", "items"},
		"SELECT * FROM ÉLÉMENTS":                        {"select", "ÉlÉments"}, // ASCII letters only, as in UTF8
		// No table.
		"SELECT 1":                      {"select", "unknown"},
		"SELECT now(); SELECT 2 FROM t": {"select", "unknown"},
		"SELECT 1 FROM":                 {"select", "unknown"},
		// FROM, INTO and UPDATE inside parentheses, literals and comments are not the statement's.
		"SELECT extract(year FROM created_at), 'FROM quoted' FROM items":     {"select", "items"},
		"SELECT substring(name FROM 2) AS tail":                              {"select", "unknown"},
		"-- FROM comment\nSELECT /* FROM /* nested */ block */ 1 FROM items": {"select", "items"},
		"SELECT $$ FROM dollars $$, $tag$ FROM $$ tagged $tag$ FROM items":   {"select", "items"},
		`SELECT E'it\'s FROM here' FROM items`:                               {"select", "items"},
		`SELECT "from" FROM items`:                                           {"select", "items"},
		"SELECT $1::int FROM items":                                          {"select", "items"},
		// A subquery in FROM names its own table; a function in FROM names none.
		"SELECT count(*) FROM (SELECT id FROM items) AS counted":          {"select", "items"},
		"SELECT * FROM (VALUES (1)) AS v":                                 {"select", "unknown"},
		"SELECT * FROM generate_series(1, 3) AS g, items":                 {"select", "unknown"},
		"SELECT * FROM unnest($1::int[]) AS u JOIN LATERAL items ON true": {"select", "unknown"},
		"SELECT * FROM LATERAL items":                                     {"select", "items"},
		"(SELECT name FROM items) UNION (SELECT name FROM others)":        {"select", "items"},
		// WITH takes the verb and the table of its main statement.
		"WITH recent AS (SELECT * FROM items) SELECT * FROM recent":                                        {"select", "recent"},
		"WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n + 1 FROM t) SELECT n FROM t":                      {"select", "t"},
		"WITH gone AS (DELETE FROM items RETURNING *) INSERT INTO archive SELECT * FROM gone":              {"insert", "archive"},
		"with a as materialized (select 1), b as not materialized (select 2) update items set version = 1": {"update", "items"},
		"WITH x AS (SELECT 1)":                      {"other", "unknown"},
		"WITH x AS (SELECT 1); SELECT * FROM items": {"other", "unknown"},
		// Any other statement is "other", with the first table after FROM, INTO or UPDATE.
		"TRUNCATE TABLE items":                                                 {"other", "unknown"},
		"CREATE TABLE items (id uuid PRIMARY KEY)":                             {"other", "unknown"},
		"MERGE INTO items USING incoming ON true WHEN MATCHED THEN DO NOTHING": {"other", "items"},
		"VALUES (1), (2)":                                                      {"other", "unknown"},
		"EXPLAIN SELECT * FROM items":                                          {"other", "items"},
	} {
		got, recorded := classifyStatement(sql)
		assert.True(t, recorded, sql)
		assert.Equal(t, want, got, sql)
	}
}

func TestTransactionAndSessionStatementsAreNotRecorded(t *testing.T) {
	for _, sql := range []string{
		"BEGIN", "begin isolation level serializable", "START TRANSACTION", "COMMIT", "END", "ROLLBACK",
		"ABORT", "SAVEPOINT s1", "RELEASE SAVEPOINT s1", "ROLLBACK TO SAVEPOINT s1", "PREPARE TRANSACTION 'x'",
		"SET search_path TO public", "SET LOCAL statement_timeout = 0", "RESET ALL", "SHOW server_version",
		"DEALLOCATE ALL", "DISCARD ALL", "LISTEN events", "UNLISTEN *", "NOTIFY events", "LOCK TABLE items",
		"", "   ", ";", "-- ping", "/* nothing */", "'a literal'",
	} {
		_, recorded := classifyStatement(sql)
		assert.False(t, recorded, sql)
	}
}

func TestClassifyStatementCachesAFixedNumberOfStatements(t *testing.T) {
	emptyCache := func() {
		statementCache.Clear()
		statementsCached.Store(0)
	}
	emptyCache()
	t.Cleanup(emptyCache)
	before := statementsCached.Load()
	first, recorded := ClassifyStatement("SELECT * FROM cached_table")
	assert.True(t, recorded)
	again, _ := ClassifyStatement("SELECT * FROM cached_table")
	assert.Equal(t, first, again)
	assert.Equal(t, before+1, statementsCached.Load())
	_, cached := statementCache.Load("SELECT * FROM cached_table")
	assert.True(t, cached)

	for i := 0; statementsCached.Load() < statementCacheSize; i++ {
		ClassifyStatement(fmt.Sprintf("SELECT %d FROM filler", i))
	}
	statement, recorded := ClassifyStatement("INSERT INTO past_the_limit VALUES (1)")
	assert.True(t, recorded)
	assert.Equal(t, Statement{"insert", "past_the_limit"}, statement, "still classified")
	_, cached = statementCache.Load("INSERT INTO past_the_limit VALUES (1)")
	assert.False(t, cached, "but no longer cached")
	assert.Equal(t, int64(statementCacheSize), statementsCached.Load())
}

func TestErrorTypeIsTheSQLStateOrConnection(t *testing.T) {
	unique := &pgconn.PgError{Code: "23505", Message: "duplicate key value"}
	assert.Equal(t, "23505", ErrorType(unique))
	assert.Equal(t, "57014", ErrorType(fmt.Errorf("query: %w", &pgconn.PgError{Code: "57014"})))
	assert.Equal(t, ErrorConnection, ErrorType(errors.New("connection refused")))
	assert.Equal(t, ErrorConnection, ErrorType(context.Canceled))
	assert.Equal(t, ErrorConnection, ErrorType(&pgconn.PgError{}), "no SQLSTATE")
}
