import request from "supertest";

import type { Database } from "../../src/config/database";
import { createRedisClient, type RedisClient } from "../../src/config/redis";
import { Metrics } from "../../src/utils/metrics";
import { bearer, buildApp, captureLogs, RESOURCE_PATH, samples, testConfig } from "../helpers";
import {
  CACHE_PREFIX,
  connectTestDatabase,
  connectTestRedis,
  emptyCache,
  emptyTables,
} from "./database";

// Nothing listens on port 9 (discard) of this machine: connections are refused.
const UNREACHABLE_REDIS = "redis://127.0.0.1:9/0";

type App = ReturnType<typeof buildApp>["app"];

/** cache_operations_total by "<operation> <result>". */
async function cacheOperations(metrics: Metrics): Promise<Record<string, number>> {
  const exposition = await metrics.registry.metrics();
  return Object.fromEntries(
    samples(exposition, "cache_operations_total").map(({ labels, value }) => [
      `${labels.operation} ${labels.result}`,
      value,
    ]),
  );
}

/** The cache of docs/contract.md (Cache) against the real Redis of REDIS_URL and PostgreSQL. */
describe("the media-assets cache in Redis", () => {
  let database: Database;
  let redis: RedisClient;
  let metrics: Metrics;
  let app: App;
  const auth = bearer();

  beforeAll(async () => {
    database = connectTestDatabase();
    redis = await connectTestRedis();
  });
  beforeEach(async () => {
    await emptyTables(database.prisma);
    await emptyCache(redis);
    metrics = new Metrics();
    app = buildApp(database.prisma, testConfig(), metrics, redis).app;
  });
  afterAll(async () => {
    redis.destroy();
    await database.close();
  });

  const create = async (name: string): Promise<{ id: string; name: string }> => {
    const created = await request(app)
      .post(RESOURCE_PATH)
      .set("authorization", auth)
      .send({ name });
    expect(created.status).toBe(201);
    return created.body as { id: string; name: string };
  };
  const read = (path: string) => request(app).get(path).set("authorization", auth);
  /** A change the service does not see: only the database knows. */
  const renameBehindTheService = (id: string, name: string) =>
    database.prisma.mediaAsset.update({ where: { id }, data: { name } });
  const generation = async () => (await redis.get(`${CACHE_PREFIX}generation`)) ?? "0";

  it("stores a read item for CACHE_TTL and serves it from there", async () => {
    const item = await create("cached");
    const url = `${RESOURCE_PATH}/${item.id}`;
    const first = await read(url);
    expect(first.status).toBe(200);
    const key = `${CACHE_PREFIX}item:${item.id}`;
    expect(JSON.parse((await redis.get(key)) ?? "null")).toEqual(first.body);
    const ttl = await redis.pTTL(key);
    expect(ttl).toBeGreaterThan(290_000); // CACHE_TTL: 5m by default
    expect(ttl).toBeLessThanOrEqual(300_000);

    await renameBehindTheService(item.id, "renamed behind its back");
    const second = await read(url);
    expect(second.body).toEqual(first.body);
    expect(await cacheOperations(metrics)).toMatchObject({ "get miss": 1, "get hit": 1 });
  });

  it("never caches a 404", async () => {
    const url = `${RESOURCE_PATH}/00000000-0000-4000-8000-000000000000`;
    expect((await read(url)).status).toBe(404);
    expect(await redis.exists(`${CACHE_PREFIX}item:00000000-0000-4000-8000-000000000000`)).toBe(0);
  });

  it("keys a page by the generation and the query as validated, defaults filled in", async () => {
    // No write yet: no generation, read as 0.
    expect(await redis.exists(`${CACHE_PREFIX}generation`)).toBe(0);
    expect((await read(RESOURCE_PATH)).status).toBe(200);
    expect(await redis.exists(`${CACHE_PREFIX}list:0:page=1&limit=10&sort=createdAt:desc`)).toBe(1);

    await create("alpha");
    expect(await generation()).toBe("1");
    expect((await read(`${RESOURCE_PATH}?filter[name]=al&sort=name&page=1`)).status).toBe(200);
    const key = `${CACHE_PREFIX}list:1:page=1&limit=10&sort=name:asc&filter[name]=al`;
    expect(JSON.parse((await redis.get(key)) ?? "null")).toMatchObject({
      data: [{ name: "alpha" }],
      pagination: { total: 1 },
    });
  });

  const writes: [string, (id: string) => request.Test][] = [
    ["a replace", (id) => request(app).put(`${RESOURCE_PATH}/${id}`).send({ name: "replaced" })],
    ["an update", (id) => request(app).patch(`${RESOURCE_PATH}/${id}`).send({ name: "updated" })],
    ["a delete", (id) => request(app).delete(`${RESOURCE_PATH}/${id}`)],
  ];

  it.each(writes)("drops the item and every cached page on %s", async (_write, send) => {
    const item = await create("original");
    const url = `${RESOURCE_PATH}/${item.id}`;
    await read(url);
    await read(RESOURCE_PATH);
    await renameBehindTheService(item.id, "renamed behind its back");
    const before = Number(await generation());

    const written = await send(item.id).set("authorization", auth);
    expect(written.status).toBeLessThan(300);

    expect(await redis.exists(`${CACHE_PREFIX}item:${item.id}`)).toBe(0);
    expect(Number(await generation())).toBe(before + 1);
    const [again, page] = [await read(url), await read(RESOURCE_PATH)];
    const fresh = await database.prisma.mediaAsset.findMany();
    expect((page.body.data as { name: string }[]).map((row) => row.name)).toEqual(
      fresh.map((row) => row.name),
    );
    if (fresh.length > 0) expect(again.body.name).toBe(fresh[0]?.name);
    else expect(again.status).toBe(404);
    expect((await cacheOperations(metrics))["invalidate ok"]).toBe(2); // the create, then this
  });

  it("drops every cached page on a create: the new item is listed at once", async () => {
    await create("first");
    expect((await read(RESOURCE_PATH)).body.pagination.total).toBe(1);
    await create("second");
    expect(await generation()).toBe("2");
    expect((await read(RESOURCE_PATH)).body.pagination.total).toBe(2);
  });

  it("changes nothing on a write that fails", async () => {
    const item = await create("taken");
    await read(`${RESOURCE_PATH}/${item.id}`);
    const before = await generation();
    const duplicate = await request(app).post(RESOURCE_PATH).set("authorization", auth).send({
      name: "taken",
    });
    expect(duplicate.status).toBe(409);
    expect(await generation()).toBe(before);
    expect(await redis.exists(`${CACHE_PREFIX}item:${item.id}`)).toBe(1);
  });
});

describe("the media-assets cache while Redis is unreachable", () => {
  let database: Database;
  let redis: RedisClient;

  beforeAll(() => {
    database = connectTestDatabase();
    // As src/server.ts does: connecting in the background, and never succeeding.
    redis = createRedisClient(UNREACHABLE_REDIS, captureLogs().logger);
    redis.connect().catch(() => undefined);
  });
  beforeEach(() => emptyTables(database.prisma));
  afterAll(async () => {
    redis.destroy();
    await database.close();
  });

  it("serves from the database, counts and logs the failures, and stays healthy and ready", async () => {
    const metrics = new Metrics();
    const { logger, lines } = captureLogs();
    // The cache's failures alone: the rate limit's are tested with it (rate-limit.test.ts).
    const config = testConfig({ RATE_LIMIT_REQUESTS: "0" });
    const { app } = buildApp(database.prisma, config, metrics, redis, logger);
    const auth = bearer();
    const created = await request(app)
      .post(RESOURCE_PATH)
      .set("authorization", auth)
      .send({ name: "uncached" });
    expect(created.status).toBe(201);
    const url = `${RESOURCE_PATH}/${created.body.id as string}`;

    const first = await request(app).get(url).set("authorization", auth);
    expect(first.status).toBe(200);
    await database.prisma.mediaAsset.update({
      where: { id: created.body.id as string },
      data: { name: "read from the database" },
    });
    const second = await request(app).get(url).set("authorization", auth);
    expect(second.body.name).toBe("read from the database");
    const listed = await request(app).get(RESOURCE_PATH).set("authorization", auth);
    expect(listed.status).toBe(200);

    expect(await cacheOperations(metrics)).toEqual({ "invalidate error": 1, "get error": 3 });
    const warnings = lines().filter((line) => line.message === "cache unavailable");
    expect(warnings.map((line) => [line.level, line.operation])).toEqual([
      ["warn", "invalidate"],
      ["warn", "get"],
      ["warn", "get"],
      ["warn", "get"],
    ]);

    // A cache outage alone must not fail the probes: every replica shares this Redis.
    const health = await request(app).get("/health");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("healthy");
    expect(health.body.dependencies).toMatchObject({
      database: { status: "healthy", required: true },
      redis: { status: "unhealthy", latency_ms: expect.any(Number), required: false },
    });
    const ready = await request(app).get("/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({
      database: true,
      database_migrations: true,
      external_dependencies: true,
      configuration: true,
    });
  });
});

describe("probes with Redis", () => {
  let database: Database;
  let redis: RedisClient;

  beforeAll(async () => {
    database = connectTestDatabase();
    redis = await connectTestRedis();
  });
  afterAll(async () => {
    redis.destroy();
    await database.close();
  });

  it("reports Redis as healthy but not required in /health, and leaves it out of /ready", async () => {
    const { app } = buildApp(database.prisma, testConfig(), new Metrics(), redis);
    const health = await request(app).get("/health");
    expect(health.status).toBe(200);
    expect(health.body.dependencies.redis).toEqual({
      status: "healthy",
      latency_ms: expect.any(Number),
      required: false,
    });
    const ready = await request(app).get("/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.checks).not.toHaveProperty("redis");
  });
});
