import { createDatabase, type Database, type PrismaClient } from "../../src/config/database";
import { createRedisClient, type RedisClient } from "../../src/config/redis";
import type { Metrics } from "../../src/utils/metrics";
import { integrationDatabaseUrl, integrationRedisUrl, silentLogger, testConfig } from "../helpers";

/**
 * The real PostgreSQL database of DATABASE_URL, migrated beforehand with
 * `npx prisma migrate deploy`, its pool reporting to `metrics` if given. Each test starts from
 * empty tables.
 */
export function connectTestDatabase(metrics?: Metrics): Database {
  return createDatabase(testConfig({ DATABASE_URL: integrationDatabaseUrl() }), metrics);
}

export async function emptyTables(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe('TRUNCATE TABLE "media_assets"');
}

/** Where the app built with testConfig() keeps its media-assets cache: every key starts so. */
export const CACHE_PREFIX = "asset-library:media-assets:";

/** The real Redis of REDIS_URL, connected. */
export async function connectTestRedis(): Promise<RedisClient> {
  const redis = createRedisClient(integrationRedisUrl(), silentLogger());
  await redis.connect();
  return redis;
}

/** Deletes every resource's cached keys, so that a test never reads what an earlier one cached. */
export async function emptyCache(redis: RedisClient): Promise<void> {
  const keys = await redis.keys("asset-library:*");
  if (keys.length > 0) await redis.del(keys);
}
