import { readdir } from "node:fs/promises";
import path from "node:path";

import type { ExternalService } from "../config/env";
import type { PrismaClient } from "../generated/prisma/client";
import type { RedisClient } from "../config/redis";

// The migrations shipped with this build: next to src/ in the repo, next to dist/ in the image.
export const MIGRATIONS_DIR = path.resolve(__dirname, "../../prisma/migrations");

// Each check gives up after this long, and they run at once: a probe answers within about 2 s
// whatever hangs (docs/contract.md, Probes).
export const CHECK_TIMEOUT_MS = 2_000;

export type DependencyState = "healthy" | "unhealthy";

/** One dependency in /health: its state, how long its check took, whether the service needs it. */
export interface Dependency {
  status: DependencyState;
  latency_ms: number;
  required: boolean;
}

export interface HealthReport {
  status: DependencyState;
  dependencies: {
    database: Dependency;
    redis?: Dependency;
    external_services: Record<string, Dependency>;
  };
}

export interface ReadinessChecks {
  database: boolean;
  database_migrations: boolean;
  external_dependencies: boolean;
  configuration: boolean;
}

export interface HealthOptions {
  externalServices?: ExternalService[];
  timeoutMs?: number;
  migrationsDir?: string;
  /** The cache's Redis: reported in /health when given, never required, not in /ready. */
  redis?: RedisClient;
}

/** What /health and /ready report (Visiobook guidelines 5.1). */
export class HealthService {
  private readonly started = Date.now();
  private readonly externalServices: ExternalService[];
  private readonly timeoutMs: number;
  private readonly migrationsDir: string;
  private readonly redis?: RedisClient;

  constructor(
    private readonly prisma: PrismaClient,
    {
      externalServices = [],
      timeoutMs = CHECK_TIMEOUT_MS,
      migrationsDir = MIGRATIONS_DIR,
      redis,
    }: HealthOptions = {},
  ) {
    this.externalServices = externalServices;
    this.timeoutMs = timeoutMs;
    this.migrationsDir = migrationsDir;
    this.redis = redis;
  }

  uptimeSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Every dependency, checked at once; unhealthy while a required one is. */
  async health(): Promise<HealthReport> {
    const [database, redis, external] = await Promise.all([
      // The database is always required: no request is served without it.
      this.check(() => this.selectOne()).then((check) => ({ ...check, required: true })),
      // Never required (docs/contract.md, Cache): the API still answers from the database while
      // Redis is down, and every replica shares it, so failing on it would fail them all.
      this.redisCheck()?.then((check) => ({ ...check, required: false })),
      Promise.all(
        this.externalServices.map(async (service) => {
          const check = await this.check((signal) => this.answersHealthy(service, signal));
          return [service.name, { ...check, required: service.required }] as const;
        }),
      ),
    ]);
    const dependencies = [database, ...external.map(([, dependency]) => dependency)];
    if (redis !== undefined) dependencies.push(redis);
    const unhealthy = dependencies.some(
      (dependency) => dependency.required && dependency.status === "unhealthy",
    );
    return {
      status: unhealthy ? "unhealthy" : "healthy",
      dependencies: { database, redis, external_services: Object.fromEntries(external) },
    };
  }

  async readiness(): Promise<ReadinessChecks> {
    const [database, migrated, external] = await Promise.all([
      this.databaseReachable(),
      this.migrationsApplied(),
      this.requiredServicesHealthy(),
    ]);
    return {
      database,
      database_migrations: database && migrated,
      external_dependencies: external,
      configuration: true, // the configuration was validated at start-up, or nothing would run
    };
  }

  async databaseReachable(): Promise<boolean> {
    return (await this.check(() => this.selectOne())).status === "healthy";
  }

  /** True when every migration of this build is recorded as applied by `prisma migrate deploy`. */
  async migrationsApplied(): Promise<boolean> {
    const migrations = await this.check(async () => {
      const shipped = await this.shippedMigrations();
      const rows = await this.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      const applied = new Set(rows.map((row) => row.migration_name));
      return shipped.every((name) => applied.has(name));
    });
    return migrations.status === "healthy"; // false too without a migrations table or database
  }

  /** True when every service REQUIRED_EXTERNAL_SERVICES names answers healthy (or it names none). */
  async requiredServicesHealthy(): Promise<boolean> {
    const required = this.externalServices.filter((service) => service.required);
    const checks = await Promise.all(
      required.map((service) => this.check((signal) => this.answersHealthy(service, signal))),
    );
    return checks.every((dependency) => dependency.status === "healthy");
  }

  /** A PING of the cache's Redis, bounded like the other checks; none without Redis. */
  private redisCheck(): Promise<Omit<Dependency, "required">> | undefined {
    const redis = this.redis;
    if (redis === undefined) return undefined;
    return this.check(async () => (await redis.ping()) === "PONG");
  }

  private async selectOne(): Promise<boolean> {
    await this.prisma.$queryRaw`SELECT 1`;
    return true;
  }

  /** Healthy on any 2xx of <url>/health; a redirect is not followed, so it is not healthy. */
  private async answersHealthy(service: ExternalService, signal: AbortSignal): Promise<boolean> {
    const response = await fetch(`${service.url}/health`, { redirect: "manual", signal });
    await response.body?.cancel(); // only the status counts: release the connection
    return response.ok;
  }

  /**
   * Runs `probe` within the timeout: healthy when it resolves true in time. A probe that
   * outlives the timeout is abandoned (the fetch is aborted through `signal`).
   */
  private async check(
    probe: (signal: AbortSignal) => Promise<boolean>,
  ): Promise<Omit<Dependency, "required">> {
    const started = performance.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    let healthy: boolean;
    try {
      healthy = await untilAborted(probe(signal), signal);
    } catch {
      healthy = false;
    }
    const latency = performance.now() - started;
    return {
      status: healthy ? "healthy" : "unhealthy",
      latency_ms: Math.round(latency * 10) / 10,
    };
  }

  private async shippedMigrations(): Promise<string[]> {
    const entries = await readdir(this.migrationsDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  }
}

/** `work`, or its rejection once `signal` aborts: a query cannot be aborted, only left behind. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abandon = () => {
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", abandon, { once: true });
    work.then(resolve, reject);
  });
}
