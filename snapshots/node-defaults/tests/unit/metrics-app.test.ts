import request from "supertest";

import { createMetricsApp } from "../../src/metrics-app";
import { Metrics } from "../../src/utils/metrics";
import { captureLogs, silentLogger } from "../helpers";

/** The metrics listener (PROMETHEUS_PORT): /metrics and nothing else. */
describe("the metrics app", () => {
  const metrics = new Metrics();
  const app = createMetricsApp(metrics, silentLogger());

  it("serves the registry in the Prometheus text format on GET and HEAD /metrics", async () => {
    metrics.httpRequests.inc({ method: "GET", route: "/health", status_code: "200" });
    const response = await request(app).get("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe(metrics.registry.contentType);
    expect(response.text).toContain(
      'http_requests_total{method="GET",route="/health",status_code="200"} 1',
    );
    for (const family of [
      "http_request_duration_seconds",
      "http_request_errors_total",
      "db_connections_active",
      "db_connections_max",
      "db_query_duration_seconds",
      "db_query_errors_total",
      "business_operations_total",
      "business_operation_duration_seconds",
      "process_cpu_seconds_total",
    ]) {
      expect(response.text).toContain(`# TYPE ${family} `);
    }
    const head = await request(app).head("/metrics");
    expect(head.status).toBe(200);
    expect(head.text).toBeUndefined();
  });

  it("does not count its scrapes as requests", async () => {
    const fresh = new Metrics();
    const scraped = createMetricsApp(fresh, silentLogger());
    await request(scraped).get("/metrics");
    const { text } = await request(scraped).get("/metrics");
    expect(text).not.toMatch(/^http_requests_total\{/m);
  });

  it("answers a plain 404 for any other path or method, the API's probes included", async () => {
    for (const path of ["/", "/health", "/ready", "/metrics/", "/METRICS", "/api/v1/x"]) {
      const response = await request(app).get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(response.text).toBe("404 page not found\n");
    }
    expect((await request(app).post("/metrics")).status).toBe(404);
  });

  it("answers 500 and logs the cause when the registry cannot be read", async () => {
    const broken = new Metrics();
    jest.spyOn(broken.registry, "metrics").mockRejectedValue(new Error("collector exploded"));
    const { logger, lines } = captureLogs();
    const response = await request(createMetricsApp(broken, logger)).get("/metrics");
    expect(response.status).toBe(500);
    expect(response.text).toBe("500 internal server error\n");
    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "metrics collection failed",
        error: expect.objectContaining({ message: "collector exploded" }),
      }),
    );
  });
});
