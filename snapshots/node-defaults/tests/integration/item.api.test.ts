import { randomUUID } from "node:crypto";

import request from "supertest";

import type { Database } from "../../src/config/database";
import { bearer, buildApp } from "../helpers";
import * as samples from "../samples";
import { connectTestDatabase, emptyTables } from "./database";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RESOURCE = "items";
const URL = `/api/v1/${RESOURCE}`;
// An item's keys, in the contract's order.
const KEYS = ["id", "name", "description", "createdAt", "updatedAt", "version"];

type Row = Record<string, unknown> & { id: string };

/** A JSON value as a query writes it. */
const asText = (value: unknown): string => String(value);

/** The /api/v1/items routes end to end, against the real database. */
describe("/api/v1/items against PostgreSQL", () => {
  let database: Database;
  let app: ReturnType<typeof buildApp>["app"];
  const auth = bearer();

  beforeAll(() => {
    database = connectTestDatabase();
    app = buildApp(database.prisma).app;
  });
  beforeEach(() => emptyTables(database.prisma));
  afterAll(() => database.close());

  const body = () => samples.body(app, auth, RESOURCE);
  const create = (fields: samples.Body = {}) => samples.create(app, auth, RESOURCE, fields);
  const call = (method: "get" | "post" | "put" | "patch" | "delete", url: string, token = auth) =>
    request(app)[method](url).set("authorization", token);
  const listed = async (query: Record<string, string> = {}): Promise<Row[]> => {
    const response = await call("get", URL).query(query);
    expect(response.status).toBe(200);
    return (response.body as { data: Row[] }).data;
  };
  const ids = async (query: Record<string, string> = {}) =>
    (await listed(query)).map((row) => row.id);

  it("creates, reads, replaces, patches and deletes a item", async () => {
    const sent = await body();
    const response = await call("post", URL).send(sent);
    expect(response.status).toBe(201);
    const created = response.body as Row;
    expect(Object.keys(created)).toEqual(KEYS);
    expect(created).toMatchObject(sent); // read back as written
    expect(created.id).toMatch(UUID); // made by PostgreSQL, lower case
    expect(created.createdAt).toMatch(TIMESTAMP);
    expect(created.updatedAt).toBe(created.createdAt);
    expect(created.version).toBe(1);
    const url = `${URL}/${created.id}`;
    expect(response.headers.location).toBe(url);

    expect((await call("get", url)).body).toEqual(created);

    const replacement = await body();
    const replaced = (await call("put", url).send(replacement)).body as Row;
    expect(replaced).toMatchObject({ ...replacement, version: 2 });

    const change = { name: (await body()).name };
    const patched = (await call("patch", url).send(change)).body as Row;
    expect(patched).toEqual({ ...replaced, ...change, version: 3, updatedAt: patched.updatedAt });
    expect(Date.parse(patched.updatedAt as string)).toBeGreaterThan(
      Date.parse(created.updatedAt as string),
    );

    const deleted = await call("delete", url);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await call("get", url)).status).toBe(404);
  });

  it("counts every PUT and PATCH as a write, even one that changes nothing", async () => {
    const sent = await body();
    const created = (await call("post", URL).send(sent)).body as Row;
    const url = `${URL}/${created.id}`;
    const empty = (await call("patch", url).send({})).body as Row;
    expect(empty).toEqual({ ...created, version: 2, updatedAt: empty.updatedAt });
    expect((await call("put", url).send(sent)).body).toMatchObject({ version: 3 });
  });

  it("answers 409 for a unique value already taken", async () => {
    const conflicts: Record<string, string> = {
      name: "a item named '%s' already exists",
    };
    for (const [field, conflict] of Object.entries(conflicts)) {
      const taken = (await create())[field];
      const other = await create();
      const duplicate = await call("post", URL).send({ ...(await body()), [field]: taken });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({
        error: { code: "CONFLICT", message: conflict.replace("%s", asText(taken)) },
      });
      const moved = await call("patch", `${URL}/${other.id}`).send({ [field]: taken });
      expect(moved.status).toBe(409);
      expect((await call("get", `${URL}/${other.id}`)).body).toMatchObject({ version: 1 });
    }
  });

  it("stores text as sent, up to its length in code points", async () => {
    const lengths: Record<string, number> = {
      name: 200,
      description: 10_000,
    };
    for (const [field, maxLength] of Object.entries(lengths)) {
      const longest = "😀".repeat(maxLength);
      expect((await create({ [field]: longest }))[field]).toBe(longest);
      if (maxLength >= 4) expect((await create({ [field]: " é😀 " }))[field]).toBe(" é😀 ");
      const tooLong = await call("post", URL).send({ ...(await body()), [field]: `${longest}x` });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body).toMatchObject({ error: { details: [{ field: `body.${field}` }] } });
    }
  });

  it("paginates the list and says how many pages there are", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) made.push((await create()).id);
    const first = await call("get", URL).query({ limit: "2", sort: "createdAt:asc" });
    expect(first.body).toMatchObject({
      pagination: { page: 1, limit: 2, total: 5, totalPages: 3 },
    });
    expect((first.body as { data: Row[] }).data.map((row) => row.id)).toEqual(made.slice(0, 2));
    expect(await ids({ limit: "2", page: "3", sort: "createdAt:asc" })).toEqual(made.slice(4));
    const pastTheEnd = await call("get", URL).query({ page: "9" });
    expect(pastTheEnd.body).toEqual({
      data: [],
      pagination: { page: 9, limit: 10, total: 5, totalPages: 1 },
    });
  });

  it("sorts the newest first by default", async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i += 1) made.push((await create()).id);
    expect(await ids()).toEqual([...made].reverse());
    expect(await ids({ sort: "createdAt" })).toEqual(made);
    expect(await ids({ sort: "updatedAt:asc" })).toEqual(made);
  });

  it("orders rows with equal sort values by id", async () => {
    for (let i = 0; i < 3; i += 1) await create();
    const sameTime = "created_at = '2026-01-01T00:00:00Z', updated_at = '2026-01-01T00:00:00Z'";
    await database.prisma.$executeRawUnsafe(`UPDATE "items" SET ${sameTime}`);
    for (const sort of ["createdAt:desc", "updatedAt:asc"]) {
      const found = await ids({ sort });
      expect(found).toEqual([...found].sort());
    }
  });

  it("sorts on each sortable field, both ways", async () => {
    for (let i = 0; i < 3; i += 1) await create();
    const kinds: Record<string, string> = {
      name: "text",
    };
    for (const [field, kind] of Object.entries(kinds)) {
      const key = (row: Row): number | string => {
        const value = row[field];
        if (kind === "decimal") return Number(value);
        if (kind === "boolean") return value === true ? 1 : 0;
        return value as number | string;
      };
      const inOrder = (rows: Row[]) =>
        rows.every((row, i) => i === 0 || key(rows[i - 1] as Row) <= key(row));
      expect(inOrder(await listed({ sort: field }))).toBe(true);
      expect(inOrder((await listed({ sort: `${field}:desc` })).reverse())).toBe(true);
    }
  });

  it("keeps the rows each filter matches", async () => {
    const rows: Row[] = [];
    for (let i = 0; i < 3; i += 1) rows.push(await create());
    const contains: Record<string, boolean> = {
      name: true,
    };
    for (const [field, containing] of Object.entries(contains)) {
      const wanted = asText(rows[0]?.[field]);
      // A string field's filter keeps the values that contain the text, ignoring case.
      const matched = rows
        .filter((row) => {
          const value = asText(row[field]);
          return containing ? value.toLowerCase().includes(wanted.toLowerCase()) : value === wanted;
        })
        .map((row) => row.id);
      const text = containing ? wanted.toUpperCase() : wanted;
      const found = await ids({ [`filter[${field}]`]: text });
      expect(found.sort()).toEqual(matched.sort());
    }
  });

  it("takes every character of a text filter literally", async () => {
    const field = "name";
    for (const value of ["50% off", "500 off", "a_b", "axb", "back\\slash", "back"]) {
      await create({ [field]: value });
    }
    const found = async (text: string) =>
      (await listed({ [`filter[${field}]`]: text })).map((row) => row[field]);
    expect(await found("0%")).toEqual(["50% off"]);
    expect(await found("_")).toEqual(["a_b"]);
    expect(await found("\\")).toEqual(["back\\slash"]);
    expect(await found("nothing")).toEqual([]);
  });

  it("answers 404 for an absent id, and names it", async () => {
    const missing = randomUUID();
    const response = await call("get", `${URL}/${missing.toUpperCase()}`);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({
      error: { code: "NOT_FOUND", message: `item '${missing}' not found` },
    });
    expect((await call("put", `${URL}/${missing}`).send(await body())).status).toBe(404);
    expect((await call("patch", `${URL}/${missing}`).send({})).status).toBe(404);
    expect((await call("delete", `${URL}/${missing}`)).status).toBe(404);
  });

  it("lets any caller read, an editor create and change, and only an admin delete", async () => {
    const reader = bearer("reader", []);
    const editor = bearer("editor", ["editor"]);
    const row = await create();
    const url = `${URL}/${row.id}`;
    expect((await call("get", URL, reader)).status).toBe(200);
    expect((await call("get", url, reader)).status).toBe(200);

    const refusals = [
      [call("post", URL, reader).send(await body()), "editor or admin"],
      [call("put", url, reader).send(await body()), "editor or admin"],
      [call("patch", url, reader).send({}), "editor or admin"],
      [call("delete", url, reader), "admin"],
      [call("delete", url, editor), "admin"],
    ] as const;
    for (const [refused, roles] of refusals) {
      const response = await refused;
      expect(response.status).toBe(403);
      expect(response.headers["www-authenticate"]).toBe('Bearer error="insufficient_scope"');
      expect(response.body).toMatchObject({
        error: { code: "FORBIDDEN", message: `requires the role ${roles}` },
      });
    }
    expect((await call("get", url, reader)).body).toEqual(row); // untouched

    expect((await call("post", URL, editor).send(await body())).status).toBe(201);
    expect((await call("put", url, editor).send(await body())).status).toBe(200);
    expect((await call("patch", url, editor).send({})).status).toBe(200);
    expect((await call("delete", url, bearer("admin", ["admin"]))).status).toBe(204);
  });

  it("refuses a caller without the role before reading the body or the id", async () => {
    const reader = bearer("reader", []);
    const row = await create();
    const refusals = {
      "no body": call("post", URL, reader),
      "malformed JSON": call("post", URL, reader).set("content-type", "application/json").send("{"),
      "another media type": call("post", URL, reader).set("content-type", "text/plain").send("x"),
      "a malformed id": call("patch", `${URL}/not-a-uuid`, reader).send({}),
      "an absent item": call("delete", `${URL}/${randomUUID()}`, reader),
      "an item that exists": call("delete", `${URL}/${row.id}`, reader),
    };
    for (const [reason, refused] of Object.entries(refusals)) {
      expect({ reason, status: (await refused).status }).toEqual({ reason, status: 403 });
    }
  });
});
