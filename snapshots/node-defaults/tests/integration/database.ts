import { createDatabase, type Database, type PrismaClient } from "../../src/config/database";
import type { Metrics } from "../../src/utils/metrics";
import { integrationDatabaseUrl, testConfig } from "../helpers";

/**
 * The real PostgreSQL database of DATABASE_URL, migrated beforehand with
 * `npx prisma migrate deploy`, its pool reporting to `metrics` if given. Each test starts from
 * empty tables.
 */
export function connectTestDatabase(metrics?: Metrics): Database {
  return createDatabase(testConfig({ DATABASE_URL: integrationDatabaseUrl() }), metrics);
}

export async function emptyTables(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe('TRUNCATE TABLE "items"');
}
