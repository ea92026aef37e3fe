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
      // The guidelines' request log fields (5.2); absent ones are left out.
      logger.info("HTTP Request", {
        method: req.method,
        url: req.originalUrl,
        statusCode: res.statusCode,
        responseTime: Math.round(seconds * 1e5) / 100,
        userAgent: req.get("user-agent"),
        ip: req.ip,
        correlationId: req.correlationId,
        userId: req.principal?.subject,
        route,
      });
    });
    next();
  };
}
