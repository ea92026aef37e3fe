import type { RequestHandler } from "express";

import type { Logger } from "../utils/logger";
import type { Metrics } from "../utils/metrics";
import { routeLabel } from "./route-label";

/** Times, counts and logs every request once its response is finished (guidelines 5.2, 5.3). */
export function observeRequests(metrics: Metrics, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      const labels = { method: req.method, route, status_code: String(res.statusCode) };
      metrics.httpRequestDuration.observe(labels, seconds);
      metrics.httpRequests.inc(labels);
      if (res.statusCode >= 400) {
        const errorType = res.statusCode >= 500 ? "server_error" : "client_error";
        metrics.httpRequestErrors.inc({ method: req.method, route, error_type: errorType });
      }
      logger.info("request completed", {
        correlation_id: req.correlationId,
        method: req.method,
        route,
        path: req.originalUrl.split("?")[0],
        status_code: res.statusCode,
        duration_ms: Math.round(seconds * 1e6) / 1e3,
        user_agent: req.get("user-agent"),
      });
    });
    next();
  };
}
