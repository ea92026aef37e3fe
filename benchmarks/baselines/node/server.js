"use strict";
/**
 * The same-SQL baseline of a generated Node service's `GET /api/v1/items`: Express and pg (the
 * versions the generated service's package-lock.json holds), and nothing else.
 *
 * benchmarks/services.py installs and runs it (`node server.js`); it is never generated into a
 * service. It sends the statements the generated list route is meant to send, which the
 * benchmark checks in PostgreSQL's log before it compares the two.
 */
const crypto = require("node:crypto");
const express = require("express");
const { Pool } = require("pg");

// The page and the exact total in one statement, as the generated service's $queryRaw sends it.
const PAGE =
  'SELECT "id", "name", "description", "created_at" AS "createdAt", "updated_at" AS "updatedAt",' +
  ' "version", (SELECT count(*) FROM "items") AS "total"' +
  ' FROM "items" ORDER BY "created_at" DESC, "id" LIMIT $1 OFFSET $2';
// Only for a page past the end, which has no row to carry the total.
const TOTAL = 'SELECT count(*) AS "total" FROM "items"';

// The HMAC key is built once (one HMAC-SHA256 a request, no JOSE library).
const key = crypto.createSecretKey(Buffer.from(process.env.JWT_SECRET ?? ""));
// No transaction: pool.query sends the statement alone.
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? "10"),
});

/** An HS256 bearer token signed with JWT_SECRET whose `exp` is in the future. */
function authorized(header) {
  const [scheme, token = ""] = header.split(" ", 2);
  const dot = token.lastIndexOf(".");
  if (scheme.toLowerCase() !== "bearer" || dot < 0) return false;
  const signingInput = token.slice(0, dot);
  const expected = crypto.createHmac("sha256", key).update(signingInput).digest();
  const signature = Buffer.from(token.slice(dot + 1), "base64url");
  if (signature.length !== expected.length || !crypto.timingSafeEqual(signature, expected)) {
    return false;
  }
  const payload = signingInput.slice(signingInput.indexOf(".") + 1);
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  return typeof claims.exp === "number" && claims.exp * 1000 > Date.now();
}

const app = express();

app.get("/api/v1/items", async (req, res) => {
  if (!authorized(req.get("authorization") ?? "")) {
    res.status(401).json({ status: 401, title: "Unauthorized" });
    return;
  }
  const page = Number(req.query.page ?? "1");
  const limit = Number(req.query.limit ?? "10");
  const offset = (page - 1) * limit;
  const { rows } = await pool.query(PAGE, [limit, offset]);
  let total = rows.length > 0 ? Number(rows[0].total) : 0;
  if (rows.length === 0 && offset > 0) {
    total = Number((await pool.query(TOTAL)).rows[0].total);
  }
  res.json({
    data: rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      version: row.version,
    })),
    pagination: { page, limit, total, totalPages: Math.ceil(total / limit) },
  });
});

app.get("/health", (req, res) => {
  res.json({ status: "healthy" });
});

app.get("/ready", async (req, res) => {
  await pool.query("SELECT 1");
  res.json({ status: "ready" });
});

const server = app.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
});
