import request from "supertest";

import type { Database } from "../../src/config/database";
import { createRedisClient, type RedisClient } from "../../src/config/redis";
import { Metrics } from "../../src/utils/metrics";
import { bearer, buildApp, captureLogs, RESOURCE_PATH, samples, testConfig } from "../helpers";
import { connectTestDatabase, connectTestRedis, emptyTables } from "./database";

// Nothing listens on port 9 (discard) of this machine: connections are refused.
const UNREACHABLE_REDIS = "redis://127.0.0.1:9/0";
/** Where the app built with testConfig() counts its clients in Redis. */
const RATE_LIMIT_PREFIX = "asset-library:ratelimit:";

/** cache_operations_total{operation="rate_limit"} by result. */
async function rateLimitOperations(metrics: Metrics): Promise<Record<string, number>> {
  const exposition = await metrics.registry.metrics();
  return Object.fromEntries(
    samples(exposition, "cache_operations_total")
      .filter(({ labels }) => labels.operation === "rate_limit")
      .map(({ labels, value }) => [String(labels.result), value]),
  );
}

/** The `r` of a RateLimit header: the requests left in the window. */
const remaining = (header: unknown) => /;r=([0-9]+);/.exec(String(header))?.[1];

describe("the rate limit in Redis", () => {
  let database: Database;
  let redis: RedisClient;

  beforeAll(async () => {
    database = connectTestDatabase();
    redis = await connectTestRedis();
  });
  beforeEach(async () => {
    await emptyTables(database.prisma);
    const keys = await redis.keys(`${RATE_LIMIT_PREFIX}*`);
    if (keys.length > 0) await redis.del(keys);
  });
  afterAll(async () => {
    redis.destroy();
    await database.close();
  });

  it("gives two replicas sharing Redis one budget per client", async () => {
    const config = testConfig({ RATE_LIMIT_REQUESTS: "3" });
    const metrics = new Metrics();
    const replicas = [
      buildApp(database.prisma, config, metrics, redis).app,
      buildApp(database.prisma, config, new Metrics(), redis).app,
    ];
    const auth = bearer("shared-user", []);
    const statuses = [];
    for (const app of [...replicas, ...replicas]) {
      const response = await request(app).get(RESOURCE_PATH).set("authorization", auth);
      statuses.push([response.status, remaining(response.headers.ratelimit)]);
    }
    expect(statuses).toEqual([
      [200, "2"],
      [200, "1"],
      [200, "0"],
      [429, "0"],
    ]);

    const key = `${RATE_LIMIT_PREFIX}sub:shared-user`;
    expect(await redis.get(key)).toBe("4");
    const ttl = await redis.pTTL(key);
    expect(ttl).toBeGreaterThan(55_000); // RATE_LIMIT_WINDOW: 1m by default
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await rateLimitOperations(metrics)).toEqual({ ok: 2 });
  });

  it("loads its script again into a Redis that lost it", async () => {
    const { app } = buildApp(database.prisma, testConfig(), new Metrics(), redis);
    await redis.scriptFlush();
    const response = await request(app).get(RESOURCE_PATH).set("authorization", bearer());
    expect(response.status).toBe(200);
    expect(remaining(response.headers.ratelimit)).toBe("5999");
  });
});

describe("the rate limit while Redis is unreachable", () => {
  let database: Database;
  let redis: RedisClient;

  beforeAll(() => {
    database = connectTestDatabase();
    // As src/server.ts does: connecting in the background, and never succeeding.
    redis = createRedisClient(UNREACHABLE_REDIS, captureLogs().logger);
    redis.connect().catch(() => undefined);
  });
  afterAll(async () => {
    redis.destroy();
    await database.close();
  });

  it("counts in memory instead, never a 5xx, and counts and logs each failure", async () => {
    const metrics = new Metrics();
    const { logger, lines } = captureLogs();
    const config = testConfig({ RATE_LIMIT_REQUESTS: "2" });
    const { app } = buildApp(database.prisma, config, metrics, redis, logger);
    const auth = bearer();
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await request(app).get(RESOURCE_PATH).set("authorization", auth);
      statuses.push([response.status, remaining(response.headers.ratelimit)]);
    }
    expect(statuses).toEqual([
      [200, "1"],
      [200, "0"],
      [429, "0"],
    ]);

    expect(await rateLimitOperations(metrics)).toEqual({ error: 3 });
    const warnings = lines().filter(
      (line) => line.message === "cache unavailable" && line.operation === "rate_limit",
    );
    expect(warnings.map((line) => line.level)).toEqual(["warn", "warn", "warn"]);
  });
});
