import { Router } from "express";

import { allowMethods } from "../middleware/methods";
import type { HealthService } from "../services/health.service";

export interface ServiceInfo {
  name: string;
  version: string;
}

/**
 * The probes at the root (Visiobook guidelines 5.1, docs/contract.md), whatever the Host header:
 * kubelet probes the pod's IP, other services its Service name, the ingress its public host.
 * /metrics is not here: it has a listener of its own (src/metrics-app.ts).
 */
export function healthRouter(health: HealthService, info: ServiceInfo): Router {
  const router = Router({ caseSensitive: true, strict: true });

  // Liveness checks nothing but that the process serves: restarting pods cannot fix a database
  // outage, and Kubernetes would restart every replica at once.
  router
    .route("/live")
    .all(allowMethods("GET", "HEAD"))
    .get((_req, res) => {
      res.json({ status: "alive" });
    });

  // Every dependency with its state; 503 while a required one is down.
  router
    .route("/health")
    .all(allowMethods("GET", "HEAD"))
    .get(async (_req, res) => {
      const report = await health.health();
      res.status(report.status === "healthy" ? 200 : 503).json({
        status: report.status,
        timestamp: new Date().toISOString(),
        service: info.name,
        version: info.version,
        uptime: health.uptimeSeconds(),
        dependencies: report.dependencies,
      });
    });

  router
    .route("/ready")
    .all(allowMethods("GET", "HEAD"))
    .get(async (_req, res) => {
      const checks = await health.readiness();
      const ready = Object.values(checks).every(Boolean);
      res.status(ready ? 200 : 503).json({
        status: ready ? "ready" : "not_ready",
        timestamp: new Date().toISOString(),
        checks,
      });
    });

  return router;
}
