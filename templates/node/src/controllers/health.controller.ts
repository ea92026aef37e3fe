import { Router } from "express";

import { allowMethods } from "../middleware/methods";
import type { HealthService } from "../services/health.service";

export interface ServiceInfo {
  name: string;
  version: string;
}

/**
 * /health (liveness) and /ready (readiness) at the root (Visiobook guidelines 5.1), whatever the
 * Host header: kubelet probes the pod's IP, other services its Service name, the ingress its
 * public host. /metrics is not here: it has a listener of its own (src/metrics-app.ts).
 */
export function healthRouter(health: HealthService, info: ServiceInfo): Router {
  const router = Router({ caseSensitive: true, strict: true });

  // Liveness stays 200 while the process serves: restarting pods cannot fix a database outage,
  // and Kubernetes would restart every replica at once. The database state is only reported.
  router
    .route("/health")
    .all(allowMethods("GET", "HEAD"))
    .get(async (_req, res) => {
      const database = await health.databaseReachable();
      res.json({
        status: "healthy",
        timestamp: new Date().toISOString(),
        service: info.name,
        version: info.version,
        uptime: health.uptimeSeconds(),
        dependencies: {
          database: database ? "healthy" : "unhealthy",
          external_services: {},
        },
      });
    });

  router
    .route("/ready")
    .all(allowMethods("GET", "HEAD"))
    .get(async (_req, res) => {
      const checks = await health.readiness();
      const ready = checks.database && checks.database_migrations && checks.configuration;
      res.status(ready ? 200 : 503).json({
        status: ready ? "ready" : "not_ready",
        timestamp: new Date().toISOString(),
        checks,
      });
    });

  return router;
}
