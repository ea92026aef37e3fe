import express, { type Express } from "express";

import { corsOrigins, type Config } from "./config/env";
import { docsRouter } from "./controllers/docs.controller";
import { healthRouter } from "./controllers/health.controller";
import { mediaAssetsRouter } from "./controllers/media-asset.controller";
import type { RedisClient } from "./config/redis";
import type { PrismaClient } from "./generated/prisma/client";
import { authenticate } from "./middleware/authenticate";
import { jsonBody } from "./middleware/body";
import { correlationId } from "./middleware/correlation-id";
import { errorHandler, unknownRoute } from "./middleware/errors";
import { observeRequests } from "./middleware/observability";
import { literalMalformedEscapes } from "./middleware/paths";
import { cors, securityHeaders } from "./middleware/security";
import { HealthService } from "./services/health.service";
import { MediaAssetService } from "./services/media-asset.service";
import { Cache } from "./utils/cache";
import type { Logger } from "./utils/logger";
import { Metrics } from "./utils/metrics";

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
  app.set("trust proxy", true); // behind the ingress: client addresses come from X-Forwarded-For
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
  app.use(healthRouter(health, info));
  app.use(docsRouter());
  app.use(
    mediaAssetsRouter({
      service: new MediaAssetService(prisma, metrics, cache("media-assets")),
      guard: authenticate(config.JWT_SECRET, config.JWT_ROLES_CLAIM),
      jsonBody: jsonBody(config.REQUEST_BODY_MAX_BYTES),
    }),
  );

  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return app;
}
