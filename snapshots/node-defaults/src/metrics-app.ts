import express, { type ErrorRequestHandler, type Express } from "express";

import type { Logger } from "./utils/logger";
import type { Metrics } from "./utils/metrics";

/**
 * The metrics listener's app, on PROMETHEUS_PORT apart from the API (guidelines 5.3, 6.2): GET
 * /metrics in the Prometheus text format, a plain 404 for anything else. The API does not serve
 * /metrics, so an ingress in front of it never exposes them. Scrapes are not counted as requests.
 */
export function createMetricsApp(metrics: Metrics, logger: Logger): Express {
  const app = express();
  app.set("strict routing", true);
  app.set("case sensitive routing", true);
  app.set("etag", false);
  app.disable("x-powered-by");

  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use((_req, res) => {
    res.status(404).type("text/plain").send("404 page not found\n");
  });
  const failed: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const cause = error instanceof Error ? { message: error.message, stack: error.stack } : error;
    logger.error("metrics collection failed", { error: cause });
    res.status(500).type("text/plain").send("500 internal server error\n");
  };
  app.use(failed);
  return app;
}
