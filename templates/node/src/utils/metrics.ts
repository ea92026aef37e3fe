import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics with the names of the Visiobook guidelines (5.3), in a registry per app. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Duration of HTTP requests in seconds",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: "http_requests_total",
    help: "Total number of HTTP requests",
    labelNames: ["method", "route", "status_code"] as const,
    registers: [this.registry],
  });

  readonly httpRequestErrors = new Counter({
    name: "http_request_errors_total",
    help: "Total number of HTTP request errors",
    labelNames: ["method", "route", "error_type"] as const,
    registers: [this.registry],
  });

  /** Read at each scrape; see trackConnections. */
  private activeConnections: () => number = () => 0;

  readonly dbConnectionsActive = new Gauge({
    name: "db_connections_active",
    help: "Number of active database connections",
    registers: [this.registry],
    collect: () => {
      this.dbConnectionsActive.set(this.activeConnections());
    },
  });

  readonly businessOperations = new Counter({
    name: "business_operations_total",
    help: "Total number of business operations",
    labelNames: ["operation", "status"] as const,
    registers: [this.registry],
  });

  readonly businessOperationDuration = new Histogram({
    name: "business_operation_duration_seconds",
    help: "Duration of business operations in seconds",
    labelNames: ["operation"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports the pool's connections in use (opened and not idle) as db_connections_active. */
  trackConnections(pool: { readonly totalCount: number; readonly idleCount: number }): void {
    this.activeConnections = () => pool.totalCount - pool.idleCount;
  }

  /** Times `work` and counts it as a success or an error of `operation`. */
  async track<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const stop = this.businessOperationDuration.startTimer({ operation });
    try {
      const result = await work();
      this.businessOperations.inc({ operation, status: "success" });
      return result;
    } catch (error) {
      this.businessOperations.inc({ operation, status: "error" });
      throw error;
    } finally {
      stop();
    }
  }
}
