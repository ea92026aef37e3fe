import { PrismaPg } from "@prisma/adapter-pg";
import { Pool } from "pg";

import { PrismaClient } from "../generated/prisma/client";
import type { Metrics } from "../utils/metrics";
import { observeQueries } from "../utils/query-metrics";
import type { Config } from "./env";

/** The Prisma client and the node-postgres pool under it; `close` releases both. */
export interface Database {
  prisma: PrismaClient;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * Prisma 7 over a node-postgres pool (driver adapter: no query-engine binary). The pool is ours,
 * so `metrics`, when given, report its connections and every statement Prisma sends through it;
 * the connect timeout bounds how long a request waits for a connection while the database is down.
 */
export function createDatabase(
  config: Pick<
    Config,
    "DATABASE_URL" | "DB_POOL_SIZE" | "DB_CONNECT_TIMEOUT" | "REQUEST_TIMEOUT" | "SERVICE_NAME"
  >,
  metrics?: Metrics,
): Database {
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: config.DB_POOL_SIZE,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT,
    // No statement outlives a request's deadline: Prisma cannot cancel one when the request is
    // answered 503 (middleware/admission.ts), so PostgreSQL itself ends it. Only the service's own
    // connections: the migration tool connects on its own.
    statement_timeout: config.REQUEST_TIMEOUT,
    // Names the service's connections in pg_stat_activity, unless DATABASE_URL names them.
    fallback_application_name: config.SERVICE_NAME,
  });
  if (metrics !== undefined) {
    // Before Prisma opens any connection: each one is hooked as the pool opens it.
    metrics.trackConnections(pool, config.DB_POOL_SIZE);
    observeQueries(pool, metrics);
  }
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
