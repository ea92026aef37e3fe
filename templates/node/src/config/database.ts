import { PrismaPg } from "@prisma/adapter-pg";
import { Pool } from "pg";

import { PrismaClient } from "../generated/prisma/client";
import type { Config } from "./env";

/** The Prisma client and the node-postgres pool under it; `close` releases both. */
export interface Database {
  prisma: PrismaClient;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * Prisma 7 over a node-postgres pool (driver adapter: no query-engine binary). The pool is ours,
 * so /metrics can report its connections; the connect timeout bounds how long /ready waits when
 * the database is down.
 */
export function createDatabase(
  config: Pick<Config, "DATABASE_URL" | "DB_POOL_SIZE" | "DB_CONNECT_TIMEOUT">,
): Database {
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DB_POOL_SIZE,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT,
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    // Prisma leaves a pool it was given open: end it after the client.
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

export type { PrismaClient };
