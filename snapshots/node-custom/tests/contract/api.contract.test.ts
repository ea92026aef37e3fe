import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

import request from "supertest";

import type { Database } from "../../src/config/database";
import type { RedisClient } from "../../src/config/redis";
import { Metrics } from "../../src/utils/metrics";
import { badTokens, bearer, buildApp, JSON_TYPE, testConfig, Upstream } from "../helpers";
import {
  connectTestDatabase,
  connectTestRedis,
  emptyCache,
  emptyTables,
} from "../integration/database";
import { contractViolations, errorViolations, type Answer } from "./openapi";

const COLLECTION = "/api/v1/media-assets";
const ITEM = `${COLLECTION}/{id}`;
const MIB = 1024 * 1024;

/**
 * The contract tier: real requests to the real app over a real socket, against PostgreSQL; every
 * answer must have the expected status and code and keep api/openapi.json.
 */
describe("/api/v1/media-assets keeps api/openapi.json", () => {
  let database: Database;
  let server: http.Server;
  let redis: RedisClient;
  const auth = bearer();

  beforeAll(async () => {
    database = connectTestDatabase();
    // With the cache, as the service runs: it must not change a single answer.
    redis = await connectTestRedis();
    server = buildApp(database.prisma, testConfig(), new Metrics(), redis).app.listen(
      0,
      "127.0.0.1",
    );
    await once(server, "listening");
  });
  beforeEach(async () => {
    await emptyTables(database.prisma);
    await emptyCache(redis);
  });
  afterAll(async () => {
    server.close();
    await database.close();
    redis.destroy();
  });

  /** Checks the status, the error code (when one is expected) and the document. */
  function expectAnswer(
    method: string,
    template: string,
    answer: Answer,
    status: number,
    code?: string,
  ): void {
    const error = (answer.body as { error?: { code?: string } } | undefined)?.error;
    expect({ status: answer.status, code: error?.code }).toEqual({ status, code });
    expect(contractViolations(method, template, answer)).toEqual([]);
  }

  const post = (body: object) =>
    request(server).post(COLLECTION).set("authorization", auth).send(body);
  const itemUrl = (id: string) => `${COLLECTION}/${id}`;

  /** A request on one item, with a valid body when the method takes one. */
  function itemRequest(method: "get" | "put" | "patch" | "delete", id: string) {
    const call = request(server)[method](itemUrl(id)).set("authorization", auth);
    return method === "put" || method === "patch" ? call.send({ name: "valid" }) : call;
  }

  async function create(name: string, description?: string): Promise<string> {
    const created = await post({ name, description });
    expectAnswer("POST", COLLECTION, created, 201);
    return (created.body as { id: string }).id;
  }

  /**
   * A request written by hand, for what supertest cannot send: a method it does not know, a
   * Content-Length larger than what follows, a chunked body. `write` sends the body, if any;
   * the answer is read as soon as it comes, and the connection then closed.
   */
  function send(
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders = {},
    write: (outgoing: http.ClientRequest) => void = (outgoing) => outgoing.end(),
  ): Promise<Answer> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        { host: "127.0.0.1", port, method, path, headers, agent: false },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("end", () => {
            outgoing.destroy();
            const text = Buffer.concat(chunks).toString();
            const json = String(incoming.headers["content-type"]).startsWith(JSON_TYPE);
            resolve({
              status: incoming.statusCode ?? 0,
              headers: incoming.headers,
              text,
              body: json ? (JSON.parse(text) as unknown) : undefined,
            });
          });
        },
      );
      outgoing.on("error", reject);
      write(outgoing);
    });
  }

  it("creates, reads, lists, replaces, patches and deletes", async () => {
    const created = await post({ name: "sunrise 100%", description: "first" });
    expectAnswer("POST", COLLECTION, created, 201);
    const id = (created.body as { id: string }).id;
    expect(created.headers.location).toBe(itemUrl(id));
    expect(created.body).toMatchObject({ name: "sunrise 100%", description: "first", version: 1 });
    await create("sunset");
    await create("100 suns");

    const read = await request(server).get(itemUrl(id)).set("authorization", auth);
    expectAnswer("GET", ITEM, read, 200);
    expect(read.body).toEqual(created.body);
    const head = await request(server).head(itemUrl(id)).set("authorization", auth);
    expectAnswer("HEAD", ITEM, head, 200);

    const sorted = await request(server)
      .get(`${COLLECTION}?sort=name:asc&limit=2`)
      .set("authorization", auth);
    expectAnswer("GET", COLLECTION, sorted, 200);
    expect((sorted.body as { data: { name: string }[] }).data.map((item) => item.name)).toEqual([
      "100 suns",
      "sunrise 100%",
    ]);
    expect(sorted.body).toMatchObject({
      pagination: { page: 1, limit: 2, total: 3, totalPages: 2 },
    });

    // `%` is a character like any other, not a wildcard.
    const filtered = await request(server)
      .get(COLLECTION)
      .query({ "filter[name]": "100%" })
      .set("authorization", auth);
    expectAnswer("GET", COLLECTION, filtered, 200);
    expect((filtered.body as { data: { id: string }[] }).data.map((item) => item.id)).toEqual([id]);

    const replaced = await request(server)
      .put(itemUrl(id))
      .set("authorization", auth)
      .send({ name: "sunrise again" });
    expectAnswer("PUT", ITEM, replaced, 200);
    expect(replaced.body).toMatchObject({ name: "sunrise again", description: null, version: 2 });

    const touched = await request(server).patch(itemUrl(id)).set("authorization", auth).send({});
    expectAnswer("PATCH", ITEM, touched, 200);
    expect(touched.body).toMatchObject({ name: "sunrise again", version: 3 });

    const patched = await request(server)
      .patch(itemUrl(id))
      .set("authorization", auth)
      .send({ description: "patched" });
    expectAnswer("PATCH", ITEM, patched, 200);
    expect(patched.body).toMatchObject({ description: "patched", version: 4 });

    const deleted = await request(server).delete(itemUrl(id)).set("authorization", auth);
    expectAnswer("DELETE", ITEM, deleted, 204);
    const gone = await request(server).get(itemUrl(id)).set("authorization", auth);
    expectAnswer("GET", ITEM, gone, 404, "NOT_FOUND");
  });

  it("answers the probes as documented", async () => {
    for (const path of ["/live", "/health", "/ready"]) {
      expectAnswer("GET", path, await request(server).get(path), 200);
    }
  });

  it("answers /health and /ready 503 as documented while a required service is down", async () => {
    const billing = await Upstream.start();
    try {
      billing.status = 503;
      const config = testConfig({
        EXTERNAL_SERVICES: "billing",
        REQUIRED_EXTERNAL_SERVICES: "billing",
        BILLING_URL: billing.url,
      });
      const { app } = buildApp(database.prisma, config, new Metrics(), redis);
      for (const path of ["/health", "/ready"]) {
        expectAnswer("GET", path, await request(app).get(path), 503);
      }
    } finally {
      await billing.close();
    }
  });

  it("refuses a missing token and every bad one with 401", async () => {
    const missing = await request(server).get(COLLECTION);
    expectAnswer("GET", COLLECTION, missing, 401, "UNAUTHORIZED");
    expect(missing.headers["www-authenticate"]).toBe("Bearer");
    for (const [reason, authorization] of Object.entries(badTokens())) {
      const refused = await request(server).get(COLLECTION).set("authorization", authorization);
      expect({ reason, status: refused.status }).toEqual({ reason, status: 401 });
      expectAnswer("GET", COLLECTION, refused, 401, "UNAUTHORIZED");
      expect(refused.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    }
  });

  it("refuses a valid token without the operation's role with 403", async () => {
    const id = await create("kept");
    const reader = bearer("reader", []);
    const editor = bearer("editor", ["editor"]);
    for (const method of ["post", "put", "patch", "delete"] as const) {
      const url = method === "post" ? COLLECTION : itemUrl(id);
      const refused = await request(server)[method](url).set("authorization", reader);
      const template = method === "post" ? COLLECTION : ITEM;
      expectAnswer(method.toUpperCase(), template, refused, 403, "FORBIDDEN");
      expect(refused.headers["www-authenticate"]).toBe('Bearer error="insufficient_scope"');
    }
    const refused = await request(server).delete(itemUrl(id)).set("authorization", editor);
    expectAnswer("DELETE", ITEM, refused, 403, "FORBIDDEN");
    expect(refused.body).toMatchObject({ error: { message: "requires the role admin" } });
  });

  it("refuses malformed ids and parameters with 400", async () => {
    for (const method of ["get", "put", "patch", "delete"] as const) {
      const answer = await itemRequest(method, "not-a-uuid");
      expectAnswer(method.toUpperCase(), ITEM, answer, 400, "VALIDATION_ERROR");
      expect(answer.body).toMatchObject({ error: { details: [{ field: "path.id" }] } });
    }
    for (const [query, field] of [
      ["page=1&page=2", "query.page"],
      ["page=9223372036854775807", "query.page"],
      ["limit=0", "query.limit"],
      ["sort=password", "query.sort"],
      ["filter[name]=a%00b", "query.filter[name]"],
      ["filter[name]=", "query.filter[name]"],
    ]) {
      const answer = await request(server).get(`${COLLECTION}?${query}`).set("authorization", auth);
      expectAnswer("GET", COLLECTION, answer, 400, "VALIDATION_ERROR");
      expect(answer.body).toMatchObject({ error: { details: [{ field }] } });
    }
  });

  it("refuses bad bodies with 400, naming each field", async () => {
    const id = await create("existing");
    for (const [body, fields] of [
      [{ name: "a\u0000b" }, ["body.name"]],
      [{ name: "ok", description: "a\u0000b" }, ["body.description"]],
      [{ name: "\ud800" }, ["body.name"]],
      [{ name: "ok", colour: "red", size: 1 }, ["body.colour", "body.size"]],
      [{ name: " \t\r\n" }, ["body.name"]],
      [{ name: "x".repeat(201) }, ["body.name"]],
      [{ name: 42, description: false }, ["body.name", "body.description"]],
      [{}, ["body.name"]],
    ] as const) {
      for (const [method, url, template] of [
        ["post", COLLECTION, COLLECTION],
        ["put", itemUrl(id), ITEM],
      ] as const) {
        const answer = await request(server)[method](url).set("authorization", auth).send(body);
        expectAnswer(method.toUpperCase(), template, answer, 400, "VALIDATION_ERROR");
        const details = (answer.body as { error: { details: { field: string }[] } }).error.details;
        expect(details.map((detail) => detail.field)).toEqual(fields);
      }
    }
  });

  it("refuses a missing, malformed or non-object body with 400", async () => {
    const noBody = await request(server).post(COLLECTION).set("authorization", auth);
    expectAnswer("POST", COLLECTION, noBody, 400, "VALIDATION_ERROR");
    expect(noBody.body).toMatchObject({
      error: { details: [{ field: "body", message: "is required" }] },
    });
    for (const text of ['{"name": ', '{"name": "a"} trailing', "[]", '"name"', "null"]) {
      const answer = await request(server)
        .post(COLLECTION)
        .set("authorization", auth)
        .set("content-type", JSON_TYPE)
        .send(text);
      expectAnswer("POST", COLLECTION, answer, 400, "VALIDATION_ERROR");
    }
  });

  it("refuses a body that is not well-formed UTF-8 with 400", async () => {
    const headers = { authorization: auth, "content-type": JSON_TYPE };
    const answer = await send("POST", COLLECTION, headers, (outgoing) => {
      outgoing.end(Buffer.from('{"name": "\xff"}', "latin1"));
    });
    expectAnswer("POST", COLLECTION, answer, 400, "VALIDATION_ERROR");
  });

  it("refuses a body that is not UTF-8 JSON with 415", async () => {
    for (const headers of [
      { "content-type": "text/plain" },
      { "content-type": "application/json; charset=utf-16" },
      { "content-type": JSON_TYPE, "content-encoding": "gzip" },
    ]) {
      const answer = await request(server)
        .post(COLLECTION)
        .set("authorization", auth)
        .set(headers)
        .send('{"name": "x"}');
      expectAnswer("POST", COLLECTION, answer, 415, "UNSUPPORTED_MEDIA_TYPE");
    }
  });

  it("refuses a body over 1 MiB with 413, by Content-Length before reading it", async () => {
    const headers = { authorization: auth, "content-type": JSON_TYPE, "content-length": 2 * MIB };
    // Only 1 KiB of the announced 2 MiB is sent: the answer cannot wait for the rest.
    const answer = await send("POST", COLLECTION, headers, (outgoing) => {
      outgoing.write(Buffer.alloc(1024, " "));
    });
    expectAnswer("POST", COLLECTION, answer, 413, "CONTENT_TOO_LARGE");
  });

  it("refuses a chunked body with 413 once it passes 1 MiB", async () => {
    const headers = { authorization: auth, "content-type": JSON_TYPE };
    const answer = await send("POST", COLLECTION, headers, (outgoing) => {
      const chunk = Buffer.alloc(64 * 1024, " ");
      let sent = 0;
      const pump = (): void => {
        while (sent < 2 * MIB && !outgoing.destroyed) {
          sent += chunk.length;
          if (!outgoing.write(chunk)) {
            outgoing.once("drain", pump);
            return;
          }
        }
        if (!outgoing.destroyed) outgoing.end();
      };
      pump();
    });
    expect(answer.headers["transfer-encoding"]).toBeUndefined();
    expectAnswer("POST", COLLECTION, answer, 413, "CONTENT_TOO_LARGE");
  });

  it("answers 404 for an absent id and 409 for a name taken", async () => {
    const absent = "00000000-0000-4000-8000-000000000000";
    for (const method of ["get", "put", "patch", "delete"] as const) {
      const answer = await itemRequest(method, absent);
      expectAnswer(method.toUpperCase(), ITEM, answer, 404, "NOT_FOUND");
    }

    await create("taken");
    const other = await create("free");
    expectAnswer("POST", COLLECTION, await post({ name: "taken" }), 409, "CONFLICT");
    for (const method of ["put", "patch"] as const) {
      const answer = await request(server)
        [method](itemUrl(other))
        .set("authorization", auth)
        .send({ name: "taken" });
      expectAnswer(method.toUpperCase(), ITEM, answer, 409, "CONFLICT");
    }
  });

  it("answers 404 for paths the document does not list, trailing slash and case included", async () => {
    const paths = [`${COLLECTION}/`, COLLECTION.toUpperCase(), "/api/v1", "/nowhere", "/metrics"];
    for (const path of paths) {
      const answer = await request(server).get(path).set("authorization", auth);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(errorViolations(answer)).toEqual([]);
    }
  });

  it("answers 405 with Allow for methods a path does not list, before authentication", async () => {
    for (const [method, path, allow] of [
      ["TRACE", COLLECTION, "GET, HEAD, POST"],
      ["QUERY", COLLECTION, "GET, HEAD, POST"],
      ["OPTIONS", COLLECTION, "GET, HEAD, POST"],
      ["POST", itemUrl("00000000-0000-4000-8000-000000000000"), "GET, HEAD, PUT, PATCH, DELETE"],
      ["DELETE", "/health", "GET, HEAD"],
    ] as const) {
      const answer = await send(method, path);
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 405 });
      expect(answer.headers.allow).toBe(allow);
      expect(errorViolations(answer)).toEqual([]);
    }
  });
});
