import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";

import jwt from "jsonwebtoken";
import winston from "winston";

import { createApp } from "../src/app";
import { loadConfig, type Config } from "../src/config/env";
import { createLogger, type Logger } from "../src/utils/logger";
import type { PrismaClient } from "../src/generated/prisma/client";
import { createMetricsApp } from "../src/metrics-app";
import { Metrics } from "../src/utils/metrics";
import { createAccessToken } from "../src/utils/tokens";

export const TEST_SECRET = "test-secret-that-is-at-least-32-characters-long";
/** The example resource's collection: the tests of the app as a whole send their requests there. */
export const RESOURCE_PATH = "/api/v1/items";
export const JSON_TYPE = "application/json";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    SERVICE_NAME: "media-service",
    DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://nobody:nothing@127.0.0.1:9/none",
    JWT_SECRET: TEST_SECRET,
    DB_CONNECT_TIMEOUT: "2s",
    ...overrides,
  });
}

export const silentLogger = (): winston.Logger => winston.createLogger({ silent: true });

/** The service's logger, writing into memory: `lines()` are the JSON lines written so far. */
export function captureLogs(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const logger = createLogger({
    service: "svc",
    version: "1.0.0",
    environment: "test",
    level: "info",
  });
  logger.clear();
  logger.add(
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString());
          done();
        },
      }),
    }),
  );
  return {
    logger,
    lines: () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>),
  };
}

/** The API app and, sharing its metrics, the app of the metrics listener (PROMETHEUS_PORT). */
export function buildApp(
  prisma: PrismaClient,
  config: Config = testConfig(),
  metrics: Metrics = new Metrics(),
) {
  const logger = silentLogger();
  return {
    app: createApp({ config, prisma, logger, metrics }),
    metrics,
    metricsApp: createMetricsApp(metrics, logger),
  };
}

/**
 * Another service, for the external-service checks: a real HTTP server on a free port whose
 * /health answers `status` (any other path 404), or never answers while `status` is "hangs".
 * `paths` are the paths it was asked for.
 */
export class Upstream {
  status: number | "hangs" = 200;
  readonly paths: string[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      this.paths.push(req.url ?? "");
      if (this.status === "hangs") return; // the request stays open until close()
      const status = req.url === "/health" ? this.status : 404;
      res.writeHead(status, { location: "/redirected", "content-length": 0 }).end();
    });
  }

  static async start(): Promise<Upstream> {
    const upstream = new Upstream();
    upstream.server.listen(0, "127.0.0.1");
    await once(upstream.server, "listening");
    return upstream;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}

/** A sample of /metrics: its labels and value, of every line of the metric family `name`. */
export function samples(
  exposition: string,
  name: string,
): { labels: Record<string, string>; value: number }[] {
  const line = /^(\w+)(?:\{(.*)\})? (\S+)$/;
  return exposition.split("\n").flatMap((text) => {
    const [, metric, labels = "", value = ""] = line.exec(text) ?? [];
    if (metric !== name) return [];
    const pairs = [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)];
    return [{ labels: Object.fromEntries(pairs.map(([, k, v]) => [k, v])), value: Number(value) }];
  });
}

/**
 * An `Authorization` header value with a valid token for `subject`, holding `roles`: admin by
 * default, which may do everything (docs/contract.md, Authorization); `[]` may only read.
 */
export function bearer(subject = "test-user", roles: readonly string[] = ["admin"]): string {
  const settings = { secret: TEST_SECRET, lifetimeMs: 300_000, rolesClaim: "roles" };
  return `Bearer ${createAccessToken(subject, settings, roles)}`;
}

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Tokens that each break one rule of the bearer token (docs/contract.md, Authentication and
 * Authorization), as `Authorization` header values.
 */
export function badTokens(): Record<string, string> {
  const sign = (payload: object, options: jwt.SignOptions = {}, secret = TEST_SECRET) =>
    `Bearer ${jwt.sign(payload, secret, { algorithm: "HS256", ...options })}`;
  const unsigned = [
    { alg: "none", typ: "JWT" },
    { sub: "someone", exp: now() + 300 },
  ]
    .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
    .join(".");
  return {
    "not a JWT": "Bearer not-a-jwt",
    "another secret": sign({ sub: "someone", exp: now() + 300 }, {}, `${TEST_SECRET}-other`),
    expired: sign({ sub: "someone", exp: now() - 1 }),
    "without exp": sign({ sub: "someone" }),
    "without sub": sign({ exp: now() + 300 }),
    "empty sub": sign({ sub: "", exp: now() + 300 }),
    "numeric sub": sign({ sub: 42, exp: now() + 300 }),
    "nbf in the future": sign({ sub: "someone", exp: now() + 300, nbf: now() + 60 }),
    "alg none": `Bearer ${unsigned}.`,
    HS512: sign({ sub: "someone", exp: now() + 300 }, { algorithm: "HS512" }),
    // A roles claim the service cannot read (docs/contract.md, Authorization).
    "roles a number": sign({ sub: "someone", exp: now() + 300, roles: 7 }),
    "roles a boolean": sign({ sub: "someone", exp: now() + 300, roles: true }),
    "roles null": sign({ sub: "someone", exp: now() + 300, roles: null }),
    "roles an object": sign({ sub: "someone", exp: now() + 300, roles: { editor: true } }),
    "roles holding a number": sign({ sub: "someone", exp: now() + 300, roles: ["editor", 1] }),
  };
}

/** The integration tests' database: fails loudly, never skips, when it is not configured. */
export function integrationDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set: integration tests need a PostgreSQL database migrated with " +
        "`npx prisma migrate deploy`, e.g. postgresql://user:password@localhost:5432/app_test",
    );
  }
  return url;
}
