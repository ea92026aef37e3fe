import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { Statement } from "./statement";

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

  readonly dbConnectionsMax = new Gauge({
    name: "db_connections_max",
    help: "Maximum number of database connections the pool may open",
    registers: [this.registry],
  });

  readonly dbQueryDuration = new Histogram({
    name: "db_query_duration_seconds",
    help: "Duration of database queries in seconds",
    labelNames: ["operation", "table"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2],
    registers: [this.registry],
  });

  readonly dbQueryErrors = new Counter({
    name: "db_query_errors_total",
    help: "Total number of failed database queries",
    labelNames: ["operation", "table", "error_type"] as const,
    registers: [this.registry],
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

  /** Fetches of the identity provider's key set (JWT_JWKS_URL), by outcome: success or failure. */
  readonly jwksFetches = new Counter({
    name: "jwks_fetches_total",
    help: "Total number of fetches of the identity provider's key set, by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Reports the pool's connections in use (opened and not idle) as db_connections_active, and the
   * most it may open (DB_POOL_SIZE) as db_connections_max.
   */
  trackConnections(
    pool: { readonly totalCount: number; readonly idleCount: number },
    max: number,
  ): void {
    this.activeConnections = () => pool.totalCount - pool.idleCount;
    this.dbConnectionsMax.set(max);
  }

  /**
   * Records one statement sent to the database: its duration, and when it failed, its error
   * (`errorType`: the SQLSTATE PostgreSQL answered, else `connection`).
   */
  observeQuery({ operation, table }: Statement, seconds: number, errorType?: string): void {
    this.dbQueryDuration.observe({ operation, table }, seconds);
    if (errorType !== undefined) {
      this.dbQueryErrors.inc({ operation, table, error_type: errorType });
    }
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
