import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient } from "../generated/prisma/client";
import type { Config } from "./env";

/**
 * The Prisma client over node-postgres (Prisma 7 driver adapter: no query-engine binary).
 * The connect timeout bounds how long /ready waits when the database is down.
 */
export function createPrismaClient(
  config: Pick<Config, "DATABASE_URL" | "DB_POOL_SIZE" | "DB_CONNECT_TIMEOUT_MS">,
): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: config.DATABASE_URL,
    max: config.DB_POOL_SIZE,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
  });
  return new PrismaClient({ adapter });
}

export type { PrismaClient };
