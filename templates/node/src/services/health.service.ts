import { readdir } from "node:fs/promises";
import path from "node:path";

import type { PrismaClient } from "../generated/prisma/client";

// The migrations shipped with this build: next to src/ in the repo, next to dist/ in the image.
export const MIGRATIONS_DIR = path.resolve(__dirname, "../../prisma/migrations");

export interface ReadinessChecks {
  database: boolean;
  database_migrations: boolean;
  configuration: boolean;
}

/** What /health and /ready report (Visiobook guidelines 5.1). */
export class HealthService {
  private readonly started = Date.now();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly timeoutMs: number,
    private readonly migrationsDir = MIGRATIONS_DIR,
  ) {}

  uptimeSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  async databaseReachable(): Promise<boolean> {
    try {
      await this.withTimeout(this.prisma.$queryRaw`SELECT 1`);
      return true;
    } catch {
      return false;
    }
  }

  /** True when every migration of this build is recorded as applied by `prisma migrate deploy`. */
  async migrationsApplied(): Promise<boolean> {
    try {
      const shipped = await this.shippedMigrations();
      const rows = await this.withTimeout(
        this.prisma.$queryRaw<{ migration_name: string }[]>`
          SELECT migration_name FROM _prisma_migrations
          WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Set(rows.map((row) => row.migration_name));
      return shipped.every((name) => applied.has(name));
    } catch {
      return false; // no migrations table yet, or no database
    }
  }

  async readiness(): Promise<ReadinessChecks> {
    const database = await this.databaseReachable();
    return {
      database,
      database_migrations: database && (await this.migrationsApplied()),
      configuration: true, // the configuration was validated at start-up, or nothing would run
    };
  }

  private async shippedMigrations(): Promise<string[]> {
    const entries = await readdir(this.migrationsDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  }

  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
