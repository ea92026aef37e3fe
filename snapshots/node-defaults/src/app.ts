import express, { type Express } from "express";

import { corsOrigins, type Config } from "./config/env";
import { docsRouter } from "./controllers/docs.controller";
import { healthRouter } from "./controllers/health.controller";
import { itemsRouter } from "./controllers/item.controller";
import type { PrismaClient } from "./generated/prisma/client";
import { authenticate } from "./middleware/authenticate";
import { jsonBody } from "./middleware/body";
import { correlationId } from "./middleware/correlation-id";
import { errorHandler, unknownRoute } from "./middleware/errors";
import { observeRequests } from "./middleware/observability";
import { literalMalformedEscapes } from "./middleware/paths";
import { cors, securityHeaders } from "./middleware/security";
import { HealthService } from "./services/health.service";
import { ItemService } from "./services/item.service";
import type { Logger } from "./utils/logger";
import { Metrics } from "./utils/metrics";

export interface AppDependencies {
  config: Config;
  prisma: PrismaClient;
  logger: Logger;
  metrics?: Metrics;
}

/** The Express application, built from its dependencies so tests can import and drive it. */
export function createApp({
  config,
  prisma,
  logger,
  metrics = new Metrics(),
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
  const health = new HealthService(prisma, { externalServices: config.externalServices });
  app.use(healthRouter(health, info));
  app.use(docsRouter());
  app.use(
    itemsRouter({
      service: new ItemService(prisma, metrics),
      guard: authenticate(config.JWT_SECRET, config.JWT_ROLES_CLAIM),
      jsonBody: jsonBody(config.REQUEST_BODY_MAX_BYTES),
    }),
  );

  app.use(unknownRoute);
  app.use(errorHandler(logger));
  return app;
}
