import request from "supertest";

import type { Database } from "../../src/config/database";
import { bearer, buildApp } from "../helpers";
import { connectTestDatabase, emptyTables } from "./database";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RESOURCE_PATH = "/api/v1/media-assets";

/** The /api/v1/media-assets routes end to end, against the real database. */
describe("/api/v1/media-assets against PostgreSQL", () => {
  let database: Database;
  let app: ReturnType<typeof buildApp>["app"];
  const auth = bearer();

  beforeAll(() => {
    database = connectTestDatabase();
    app = buildApp(database.prisma).app;
  });
  beforeEach(() => emptyTables(database.prisma));
  afterAll(() => database.close());

  const create = (body: object) =>
    request(app).post(RESOURCE_PATH).set("authorization", auth).send(body);
  const names = (response: request.Response) =>
    (response.body.data as { name: string }[]).map((item) => item.name);

  it("creates, reads, replaces, patches and deletes a media-asset", async () => {
    const created = await create({ name: "first", description: "one" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "first", description: "one", version: 1 });
    expect(created.body.id).toMatch(UUID); // made by PostgreSQL: gen_random_uuid()
    expect(created.body.createdAt).toMatch(TIMESTAMP);
    expect(created.body.updatedAt).toMatch(TIMESTAMP);
    const url = `${RESOURCE_PATH}/${created.body.id as string}`;
    expect(created.headers.location).toBe(url);

    const read = await request(app).get(url).set("authorization", auth);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const replaced = await request(app)
      .put(url)
      .set("authorization", auth)
      .send({ name: "renamed" });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: "renamed", description: null, version: 2 });

    // A write that changes nothing is still a write: version and updatedAt move on.
    const touched = await request(app).patch(url).set("authorization", auth).send({});
    expect(touched.status).toBe(200);
    expect(touched.body).toMatchObject({ name: "renamed", description: null, version: 3 });
    expect(touched.body.createdAt).toBe(created.body.createdAt);
    expect(Date.parse(touched.body.updatedAt as string)).toBeGreaterThan(
      Date.parse(created.body.updatedAt as string),
    );

    const patched = await request(app)
      .patch(url)
      .set("authorization", auth)
      .send({ description: "patched" });
    expect(patched.body).toMatchObject({ name: "renamed", description: "patched", version: 4 });

    expect((await request(app).delete(url).set("authorization", auth)).status).toBe(204);
    expect((await request(app).get(url).set("authorization", auth)).status).toBe(404);
    expect((await request(app).delete(url).set("authorization", auth)).status).toBe(404);
    expect((await request(app).patch(url).set("authorization", auth).send({})).status).toBe(404);
  });

  it("stores names as sent, and counts their length in characters", async () => {
    const spaced = await create({ name: "  spaced  " });
    expect(spaced.body.name).toBe("  spaced  ");
    const emoji = await create({ name: "😀".repeat(200), description: "é".repeat(10_000) });
    expect(emoji.status).toBe(201);
  });

  it("refuses a duplicate name with 409, on create and on rename", async () => {
    await create({ name: "taken" });
    const other = await create({ name: "free" });

    const duplicate = await create({ name: "taken" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({
      code: "CONFLICT",
      message: "a media-asset named 'taken' already exists",
    });

    for (const method of ["put", "patch"] as const) {
      const rename = await request(app)
        [method](`${RESOURCE_PATH}/${other.body.id as string}`)
        .set("authorization", auth)
        .send({ name: "taken" });
      expect(rename.status).toBe(409);
    }
  });

  it("paginates and sorts the list, ties broken by id", async () => {
    for (const name of ["delta", "alpha", "charlie", "bravo", "alphabet"]) await create({ name });

    const page = await request(app)
      .get(`${RESOURCE_PATH}?page=2&limit=2&sort=name:asc`)
      .set("authorization", auth);
    expect(page.status).toBe(200);
    expect(names(page)).toEqual(["bravo", "charlie"]);
    expect(page.body.pagination).toEqual({ page: 2, limit: 2, total: 5, totalPages: 3 });

    const newestFirst = await request(app).get(RESOURCE_PATH).set("authorization", auth);
    expect(names(newestFirst)[0]).toBe("alphabet");
    expect(newestFirst.body.pagination).toEqual({ page: 1, limit: 10, total: 5, totalPages: 1 });

    const pastTheEnd = await request(app).get(`${RESOURCE_PATH}?page=9`).set("authorization", auth);
    expect(pastTheEnd.body).toEqual({
      data: [],
      pagination: { page: 9, limit: 10, total: 5, totalPages: 1 },
    });

    // Same createdAt everywhere: the order is the ids', the same on every page.
    await database.prisma.$executeRawUnsafe(
      `UPDATE "media_assets" SET created_at = '2026-01-01T00:00:00Z'`,
    );
    const ids = async (page: number) => {
      const response = await request(app)
        .get(`${RESOURCE_PATH}?limit=2&page=${page}`)
        .set("authorization", auth);
      return (response.body.data as { id: string }[]).map((item) => item.id);
    };
    const walked = [...(await ids(1)), ...(await ids(2)), ...(await ids(3))];
    expect(walked).toEqual([...walked].sort());
  });

  it("filters by name, ignoring case, every character literal", async () => {
    for (const name of ["Alpha", "alphabet", "50% off", "500 off", "a_b", "axb", "back\\slash"]) {
      await create({ name });
    }
    const filtered = async (text: string) => {
      const response = await request(app)
        .get(RESOURCE_PATH)
        .query({ "filter[name]": text, sort: "name:asc" })
        .set("authorization", auth);
      return { names: names(response), total: response.body.pagination.total as number };
    };
    expect(await filtered("ALPHA")).toEqual({ names: ["Alpha", "alphabet"], total: 2 });
    expect(await filtered("0%")).toEqual({ names: ["50% off"], total: 1 });
    expect(await filtered("a_b")).toEqual({ names: ["a_b"], total: 1 });
    expect(await filtered("k\\s")).toEqual({ names: ["back\\slash"], total: 1 });
    expect(await filtered("%")).toEqual({ names: ["50% off"], total: 1 });
  });
});
