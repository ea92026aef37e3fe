import { once } from "node:events";
import type http from "node:http";

import request from "supertest";

import type { Database } from "../../src/config/database";
import { bearer, buildApp } from "../helpers";
import { connectTestDatabase, emptyTables } from "../integration/database";
import * as samples from "../samples";
import { contractViolations, type Answer } from "./openapi";

const RESOURCE = "items";
const COLLECTION = `/api/v1/${RESOURCE}`;
const ITEM = `${COLLECTION}/{id}`;

/**
 * The contract tier for items: real requests over a real socket, against PostgreSQL;
 * every answer, the errors included, must have the expected status and keep api/openapi.json.
 * (tests/contract/api.contract.test.ts proves what every resource shares on the example one.)
 */
describe("/api/v1/items keeps api/openapi.json with its fields", () => {
  let database: Database;
  let server: http.Server;
  const auth = bearer();

  beforeAll(async () => {
    database = connectTestDatabase();
    server = buildApp(database.prisma).app.listen(0, "127.0.0.1");
    await once(server, "listening");
  });
  beforeEach(() => emptyTables(database.prisma));
  afterAll(async () => {
    server.close();
    await database.close();
  });

  function expectAnswer(method: string, template: string, answer: Answer, status: number): void {
    expect(answer.status).toBe(status);
    expect(contractViolations(method, template, answer)).toEqual([]);
  }

  const call = (method: "get" | "head" | "post" | "put" | "patch" | "delete", url: string) =>
    request(server)[method](url).set("authorization", auth);

  it("creates, reads, lists, replaces, patches and deletes with every field", async () => {
    const created = await call("post", COLLECTION).send(await samples.body(server, auth, RESOURCE));
    expectAnswer("POST", COLLECTION, created, 201);
    const url = `${COLLECTION}/${(created.body as { id: string }).id}`;
    expectAnswer("GET", ITEM, await call("get", url), 200);
    expectAnswer("HEAD", ITEM, await call("head", url), 200);
    expectAnswer("GET", COLLECTION, await call("get", COLLECTION), 200);
    const replaced = await call("put", url).send(await samples.body(server, auth, RESOURCE));
    expectAnswer("PUT", ITEM, replaced, 200);
    expectAnswer("PATCH", ITEM, await call("patch", url).send({}), 200);
    expectAnswer("DELETE", ITEM, await call("delete", url), 204);
    expectAnswer("GET", ITEM, await call("get", url), 404);
  });

  it("refuses an invalid value of each field with 400", async () => {
    const valid = await samples.body(server, auth, RESOURCE);
    for (const [field, value] of Object.entries(valid)) {
      const wrong = typeof value === "string" ? 7 : "seven";
      const refused = await call("post", COLLECTION).send({ ...valid, [field]: wrong });
      expectAnswer("POST", COLLECTION, refused, 400);
      expect(refused.body).toMatchObject({ error: { details: [{ field: `body.${field}` }] } });
    }
  });

  it("answers 409 for what conflicts with the rows stored", async () => {
    const stored = await samples.create(server, auth, RESOURCE);
    const fresh = await samples.body(server, auth, RESOURCE);
    const taken1 = { ...fresh, name: stored.name };
    expectAnswer("POST", COLLECTION, await call("post", COLLECTION).send(taken1), 409);
  });
});
