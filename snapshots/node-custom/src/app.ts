import express, { type Express } from "express";

import { corsOrigins, type Config } from "./config/env";
import { docsRouter } from "./controllers/docs.controller";
import { healthRouter } from "./controllers/health.controller";
import { mediaAssetsRouter } from "./controllers/media-asset.controller";
import type { RedisClient } from "./config/redis";
import type { PrismaClient } from "./generated/prisma/client";
import { admitRequests } from "./middleware/admission";
import { identifyCaller, requireAuthentication } from "./middleware/authenticate";
import { jsonBody } from "./middleware/body";
import { correlationId } from "./middleware/correlation-id";
import { errorHandler, unknownRoute } from "./middleware/errors";
import { observeRequests } from "./middleware/observability";
import { literalMalformedEscapes } from "./middleware/paths";
import { rateLimit } from "./middleware/rate-limit";
import { cors, securityHeaders } from "./middleware/security";
import { HealthService } from "./services/health.service";
import { MediaAssetService } from "./services/media-asset.service";
import { Cache } from "./utils/cache";
import type { Logger } from "./utils/logger";
import { Metrics } from "./utils/metrics";
import { MemoryRateCounter, type RateCounter } from "./utils/rate-counter";
import { SigningKeys } from "./utils/signing-keys";
import type { IdentityProvider } from "./utils/tokens";
import { RedisRateCounter } from "./utils/redis-rate-counter";

export interface AppDependencies {
  config: Config;
  prisma: PrismaClient;
  logger: Logger;
  metrics?: Metrics;
  /**
   * The cache's Redis (src/server.ts always gives it): the resource's reads are cached there and
   * /health and /ready check it. Without it, reads go to the database alone.
   */
  redis?: RedisClient;
}

/** The Express application, built from its dependencies so tests can import and drive it. */
export function createApp({
  config,
  prisma,
  logger,
  metrics = new Metrics(),
  redis,
}: AppDependencies): Express {
  const app = express();
  // Before any route: a trailing slash or another letter case is another path, so a 404
  // (every Router repeats these two options).
  app.set("strict routing", true);
  app.set("case sensitive routing", true);
  app.set("etag", false); // the API answers `Cache-Control: no-store`
  // The client's address is the peer's, unless the peer is one of TRUSTED_PROXIES: then it is the
  // rightmost X-Forwarded-For address that is not (req.ip). Trusting every peer would let any
  // client name its own address, and so escape its rate limit.
  app.set("trust proxy", config.trustedProxies);
  app.disable("x-powered-by");

  app.use(correlationId(config.CORRELATION_ID_HEADER));
  app.use(observeRequests(metrics, logger));
  app.use(securityHeaders());
  app.use(cors(corsOrigins(config), config.CORRELATION_ID_HEADER));
  app.use(literalMalformedEscapes);

  const info = { name: config.SERVICE_NAME, version: config.SERVICE_VERSION };
  const health = new HealthService(prisma, { externalServices: config.externalServices, redis });
  /** A resource's cache of reads, its keys under a prefix of their own; none without Redis. */
  const cache = (resource: string) =>
    redis === undefined
      ? undefined
      : new Cache(
          redis,
          { prefix: `${config.SERVICE_NAME}:${resource}:`, ttlMs: config.CACHE_TTL },
          metrics,
          logger,
        );
  // With Redis, one budget per client across the replicas; in memory when Redis fails.
  const counter: RateCounter =
    redis === undefined
      ? new MemoryRateCounter(config.RATE_LIMIT_WINDOW)
      : new RedisRateCounter(
          redis,
          { prefix: `${config.SERVICE_NAME}:ratelimit:`, windowMs: config.RATE_LIMIT_WINDOW },
          new MemoryRateCounter(config.RATE_LIMIT_WINDOW),
          metrics,
          logger,
        );
  // What every /api/v1 route runs once its path and method have matched, in the contract's order:
  // admitted (503 past MAX_CONCURRENT_REQUESTS, and at REQUEST_TIMEOUT), the caller identified,
  // counted (429), then refused without a valid token (401).
  const guard = [
    admitRequests({
      maxInProgress: config.MAX_CONCURRENT_REQUESTS,
      timeoutMs: config.REQUEST_TIMEOUT,
    }),
    identifyCaller({
      secret: config.JWT_SECRET,
      rolesClaim: config.JWT_ROLES_CLAIM,
      provider: identityProvider(config, metrics, logger),
    }),
    rateLimit(counter, {
      requests: config.RATE_LIMIT_REQUESTS,
      windowMs: config.RATE_LIMIT_WINDOW,
    }),
    requireAuthentication,
  ];
  app.use(healthRouter(health, info));
  app.use(docsRouter());
  app.use(
    mediaAssetsRouter({
      service: new MediaAssetService(prisma, metrics, cache("media-assets")),
      guard,
      jsonBody: jsonBody(config.REQUEST_BODY_MAX_BYTES),
    }),
  );

  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return app;
}

/** The identity provider of JWT_JWKS_URL, its key set fetched on first use; none without it. */
function identityProvider(
  config: Config,
  metrics: Metrics,
  logger: Logger,
): IdentityProvider | undefined {
  const settings = config.identityProvider;
  if (settings === undefined) return undefined;
  return {
    keys: new SigningKeys(settings.jwksUrl, metrics, logger),
    issuer: settings.issuer,
    audience: settings.audience,
  };
}
