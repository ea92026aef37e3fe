import request from "supertest";

import { createDatabase, type Database } from "../../src/config/database";
import { buildApp, testConfig, Upstream } from "../helpers";
import { connectTestDatabase } from "./database";

// Nothing listens on port 9 (discard) of this machine: connections are refused.
const UNREACHABLE_DATABASE = "postgresql://nobody:nothing@127.0.0.1:9/none";

describe("probes against PostgreSQL", () => {
  let database: Database;

  beforeAll(() => {
    database = connectTestDatabase();
  });
  afterAll(() => database.close());

  it("is ready when the database answers and every migration is applied", async () => {
    const response = await request(buildApp(database.prisma).app).get("/ready");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: "ready",
      checks: {
        database: true,
        database_migrations: true,
        external_dependencies: true,
        configuration: true,
      },
    });
  });

  it("reports the database as healthy and required in /health, and no external service", async () => {
    const response = await request(buildApp(database.prisma).app).get("/health");
    expect(response.status).toBe(200);
    expect(response.body.status).toBe("healthy");
    expect(response.body.dependencies).toEqual({
      database: { status: "healthy", latency_ms: expect.any(Number), required: true },
      external_services: {},
    });
    expect(response.body.dependencies.database.latency_ms).toBeLessThan(2000);
  });

  it("answers the probes whatever the Host header: no host allow-list", async () => {
    const { app } = buildApp(database.prisma);
    const hosts = [
      "10.1.2.3:8080", // kubelet, probing the pod by its IP
      "media-service.default.svc.cluster.local", // another service, through the Service
      "api.visiobook.com", // the ingress
      "localhost",
    ];
    for (const host of hosts) {
      for (const path of ["/live", "/health", "/ready"]) {
        const response = await request(app).get(path).set("host", host);
        expect({ host, path, status: response.status }).toEqual({ host, path, status: 200 });
      }
    }
  });
});

describe("probes while the database is unreachable", () => {
  let database: Database;

  beforeAll(() => {
    database = createDatabase(testConfig({ DATABASE_URL: UNREACHABLE_DATABASE }));
  });
  afterAll(() => database.close());

  it("stays alive, but is unhealthy and not ready", async () => {
    const { app } = buildApp(database.prisma, testConfig({ DATABASE_URL: UNREACHABLE_DATABASE }));

    const live = await request(app).get("/live");
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: "alive" });

    const health = await request(app).get("/health");
    expect(health.status).toBe(503);
    expect(health.body.status).toBe("unhealthy");
    expect(health.body.dependencies.database).toMatchObject({
      status: "unhealthy",
      required: true,
    });

    const ready = await request(app).get("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: "not_ready",
      checks: {
        database: false,
        database_migrations: false,
        external_dependencies: true,
        configuration: true,
      },
    });
  });
});

describe("probes with external services", () => {
  let database: Database;
  let storage: Upstream; // reported only
  let billing: Upstream; // required

  beforeAll(async () => {
    database = connectTestDatabase();
    [storage, billing] = await Promise.all([Upstream.start(), Upstream.start()]);
  });
  beforeEach(() => {
    storage.status = billing.status = 200;
    storage.paths.length = billing.paths.length = 0;
  });
  afterAll(async () => {
    await Promise.all([storage.close(), billing.close(), database.close()]);
  });

  const app = () =>
    buildApp(
      database.prisma,
      testConfig({
        EXTERNAL_SERVICES: " storage-service, billing,,billing",
        REQUIRED_EXTERNAL_SERVICES: "billing",
        STORAGE_SERVICE_URL: storage.url,
        BILLING_URL: `${billing.url}//`, // trailing slashes are not doubled
      }),
    ).app;

  it("reports each one healthy, with its latency and whether it is required", async () => {
    const response = await request(app()).get("/health");
    expect(response.status).toBe(200);
    expect(response.body.dependencies.external_services).toEqual({
      "storage-service": { status: "healthy", latency_ms: expect.any(Number), required: false },
      billing: { status: "healthy", latency_ms: expect.any(Number), required: true },
    });
    expect(storage.paths).toEqual(["/health"]);
    expect(billing.paths).toEqual(["/health"]);
  });

  it("stays healthy and ready while a service that is not required is down", async () => {
    storage.status = 503;
    const health = await request(app()).get("/health");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("healthy");
    expect(health.body.dependencies.external_services["storage-service"].status).toBe("unhealthy");
    const ready = await request(app()).get("/ready");
    expect(ready.status).toBe(200);
    expect(storage.paths).toEqual(["/health"]); // /ready checks only the required ones
  });

  it("answers 503 on /health and /ready while a required service is down", async () => {
    billing.status = 500;
    const health = await request(app()).get("/health");
    expect(health.status).toBe(503);
    expect(health.body.status).toBe("unhealthy");
    expect(health.body.dependencies.external_services.billing.status).toBe("unhealthy");
    expect(health.body.dependencies.database.status).toBe("healthy");

    const ready = await request(app()).get("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: "not_ready",
      checks: { database: true, database_migrations: true, external_dependencies: false },
    });
    expect((await request(app()).get("/live")).status).toBe(200);
  });

  it("does not follow a redirect: only a 2xx of /health is healthy", async () => {
    billing.status = 302;
    const health = await request(app()).get("/health");
    expect(health.status).toBe(503);
    expect(health.body.dependencies.external_services.billing.status).toBe("unhealthy");
    expect(billing.paths).toEqual(["/health"]);
  });

  it("gives up on a service that never answers after 2 seconds", async () => {
    billing.status = "hangs";
    const started = performance.now();
    const health = await request(app()).get("/health");
    const elapsed = performance.now() - started;
    expect(health.status).toBe(503);
    expect(elapsed).toBeLessThan(3000);
    const billingState = health.body.dependencies.external_services.billing;
    expect(billingState.status).toBe("unhealthy");
    expect(billingState.latency_ms).toBeGreaterThanOrEqual(1990);
    expect(billingState.latency_ms).toBeLessThan(3000);
    expect(health.body.dependencies.external_services["storage-service"].status).toBe("healthy");
  });
});
