import { classifyStatement, tokenize } from "../../src/utils/statement";

/** The operation and table labels of the db_query_* metrics (guidelines 5.3). */
describe("classifyStatement", () => {
  const labels = (sql: string) => classifyStatement(sql);

  it("takes the verb of each kind of statement, lowercased", () => {
    expect(labels("SELECT id FROM assets")).toEqual({ operation: "select", table: "assets" });
    expect(labels("insert into assets (name) values ($1)")).toEqual({
      operation: "insert",
      table: "assets",
    });
    expect(labels("Update assets SET name = $1")).toEqual({ operation: "update", table: "assets" });
    expect(labels("DELETE FROM assets WHERE id = $1")).toEqual({
      operation: "delete",
      table: "assets",
    });
  });

  it("labels the statements Prisma sends with the table it names", () => {
    const columns = '"public"."items"."id", "public"."items"."name"';
    const statements = {
      insert: `INSERT INTO "public"."items" ("name","version") VALUES ($1,$2) RETURNING ${columns}`,
      select: `SELECT ${columns} FROM "public"."items" WHERE ("public"."items"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3`,
      update: `UPDATE "public"."items" SET "version" = ("public"."items"."version" + $1) WHERE ("public"."items"."id" = $2 AND 1=1) RETURNING ${columns}`,
      delete: `DELETE FROM "public"."items" WHERE ("public"."items"."id" = $1 AND 1=1) RETURNING ${columns}`,
    };
    for (const [operation, sql] of Object.entries(statements)) {
      expect(labels(sql)).toEqual({ operation, table: "items" });
    }
    // A count: the table is the subquery's.
    const count =
      'SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."items"."id" FROM "public"."items" WHERE 1=1 OFFSET $1) AS "sub"';
    expect(labels(count)).toEqual({ operation: "select", table: "items" });
  });

  it("drops the schema, folds unquoted names and keeps quoted ones as they are", () => {
    expect(labels('SELECT * FROM "MediaAsset"')).toEqual({
      operation: "select",
      table: "MediaAsset",
    });
    expect(labels("SELECT * FROM Public.MediaAsset")).toEqual({
      operation: "select",
      table: "mediaasset",
    });
    expect(labels('SELECT * FROM app."Media ""Asset"""')).toEqual({
      operation: "select",
      table: 'Media "Asset"',
    });
    expect(labels("SELECT * FROM catalog.public.assets")).toEqual({
      operation: "select",
      table: "assets",
    });
    expect(labels("SELECT * FROM ÉTÉ")).toEqual({ operation: "select", table: "ÉtÉ" });
    expect(labels("UPDATE ONLY assets SET a = 1")).toEqual({
      operation: "update",
      table: "assets",
    });
    expect(labels("DELETE FROM ONLY public.assets")).toEqual({
      operation: "delete",
      table: "assets",
    });
  });

  it("labels a statement naming no table `unknown`", () => {
    expect(labels("SELECT 1")).toEqual({ operation: "select", table: "unknown" });
    expect(labels("select now()")).toEqual({ operation: "select", table: "unknown" });
    expect(labels("SELECT * FROM unnest($1::int[])")).toEqual({
      operation: "select",
      table: "unknown",
    });
  });

  it("takes the FROM of the statement before one inside an expression", () => {
    expect(labels("SELECT extract(year FROM created_at) FROM assets")).toEqual({
      operation: "select",
      table: "assets",
    });
    expect(labels("(SELECT a FROM x) UNION (SELECT a FROM y)")).toEqual({
      operation: "select",
      table: "x",
    });
    expect(labels("INSERT INTO archive SELECT * FROM assets")).toEqual({
      operation: "insert",
      table: "archive",
    });
  });

  it("gives a WITH query the verb and table of its main statement", () => {
    expect(
      labels(
        "WITH recent AS (SELECT id FROM assets WHERE x > $1) DELETE FROM archive USING recent",
      ),
    ).toEqual({ operation: "delete", table: "archive" });
    expect(
      labels(
        'WITH RECURSIVE t(n) AS MATERIALIZED (VALUES (1) UNION ALL SELECT n + 1 FROM t), u AS (UPDATE x SET a = 1) SELECT n FROM "t"',
      ),
    ).toEqual({ operation: "select", table: "t" });
    expect(labels("WITH a AS (SELECT 1) MERGE INTO assets USING a ON true")).toEqual({
      operation: "other",
      table: "assets",
    });
    expect(labels("WITH a AS (SELECT 1)")).toEqual({ operation: "other", table: "unknown" });
  });

  it("labels other statements that read or write rows `other`", () => {
    expect(labels("MERGE INTO assets USING incoming ON true")).toEqual({
      operation: "other",
      table: "assets",
    });
    expect(labels('TRUNCATE TABLE "items"')).toEqual({ operation: "other", table: "unknown" });
    expect(labels("VALUES (1), (2)")).toEqual({ operation: "other", table: "unknown" });
    expect(labels("CALL refresh()")).toEqual({ operation: "other", table: "unknown" });
    expect(labels(";")).toEqual({ operation: "other", table: "unknown" });
  });

  it("records no transaction control or session statement", () => {
    for (const sql of [
      "BEGIN",
      "begin isolation level serializable",
      "START TRANSACTION",
      "COMMIT",
      "END",
      "ROLLBACK",
      "ROLLBACK TO SAVEPOINT s1",
      "ABORT",
      "SAVEPOINT s1",
      "RELEASE SAVEPOINT s1",
      "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
      "SET search_path TO app",
      "RESET ALL",
      "SHOW server_version",
      "DEALLOCATE ALL",
      "DISCARD ALL",
      "PREPARE TRANSACTION 'x'",
      "LISTEN changes",
      "UNLISTEN *",
      "",
      "  -- nothing but a comment",
    ]) {
      expect({ sql, labels: labels(sql) }).toEqual({ sql, labels: null });
    }
  });

  it("looks past comments, string literals and parameters", () => {
    expect(labels("/* by the job */ -- note\n  SELECT 'FROM x' FROM assets")).toEqual({
      operation: "select",
      table: "assets",
    });
    expect(labels("SELECT E'it\\'s FROM x', 'it''s FROM y', $1 FROM assets")).toEqual({
      operation: "select",
      table: "assets",
    });
    expect(labels("SELECT $$FROM x$$, $tag$ FROM y $tag$ FROM assets")).toEqual({
      operation: "select",
      table: "assets",
    });
  });

  it("answers the same labels for the same text, from its cache", () => {
    const sql = "SELECT * FROM cached";
    expect(labels(sql)).toBe(labels(sql));
  });

  it("keeps at most a thousand texts in its cache", () => {
    const first = labels("SELECT * FROM t0");
    for (let index = 1; index <= 1000; index++) labels(`SELECT * FROM t${index}`);
    expect(labels("SELECT * FROM t0")).not.toBe(first);
    expect(labels("SELECT * FROM t0")).toEqual(first);
  });
});

describe("tokenize", () => {
  it("tolerates unterminated quotes, strings and comments", () => {
    expect(tokenize('SELECT "open')).toEqual([
      { word: "select", depth: 0 },
      { name: "open", depth: 0 },
    ]);
    for (const sql of ["SELECT 'open", "SELECT E'open\\", "SELECT $$open", "SELECT /* open"]) {
      expect(tokenize(sql)).toEqual([{ word: "select", depth: 0 }]);
    }
  });

  it("gives each token its parenthesis depth", () => {
    expect(tokenize("a (b) c")).toEqual([
      { word: "a", depth: 0 },
      { symbol: "(", depth: 0 },
      { word: "b", depth: 1 },
      { symbol: ")", depth: 0 },
      { word: "c", depth: 0 },
    ]);
  });
});
