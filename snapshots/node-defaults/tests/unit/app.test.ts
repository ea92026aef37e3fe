import { readFileSync } from "node:fs";
import request from "supertest";
import { createApp } from "../../src/app";
import { OPENAPI_PATH } from "../../src/controllers/docs.controller";
import { HealthService } from "../../src/services/health.service";
import { Metrics } from "../../src/utils/metrics";
import { bearer, buildApp, captureLogs, JSON_TYPE, RESOURCE_PATH, testConfig } from "../helpers";
import { mockPrisma } from "../mocks/prisma";

const ID = "6c33cdb3-6ff3-4f7d-b888-791d24270dd8";
const ITEM_PATH = `${RESOURCE_PATH}/${ID}`;
const ROW = {
  id: ID,
  name: "first",
  description: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-01T00:00:00Z"),
  version: 1,
};

/** The answers that need no database: routing, the order of checks, headers, errors, probes. */
describe("the HTTP layer", () => {
  const prisma = mockPrisma();
  const { app } = buildApp(prisma, testConfig({ CORS_ORIGINS: "https://app.example.com" }));

  it("checks a request in the contract's order: 404, 405, 401, 403, 400, 415, 413", async () => {
    const steps = [
      [request(app).post(`${RESOURCE_PATH}/`), 404],
      [request(app).trace(RESOURCE_PATH), 405],
      [request(app).post(RESOURCE_PATH).set("content-type", "text/plain"), 401],
      [
        request(app)
          .post(RESOURCE_PATH)
          .set("authorization", bearer("reader", []))
          .set("content-type", "text/plain")
          .set("content-length", String(2 * 1024 * 1024)),
        403,
      ],
      [request(app).post(RESOURCE_PATH).set("authorization", bearer()), 400],
      [
        request(app)
          .post(RESOURCE_PATH)
          .set("authorization", bearer())
          .set("content-type", "text/plain")
          .set("content-length", String(2 * 1024 * 1024)),
        415,
      ],
      [
        request(app)
          .post(RESOURCE_PATH)
          .set("authorization", bearer())
          .set("content-type", JSON_TYPE)
          .send(`{"name": "${"x".repeat(1024 * 1024)}"`),
        413,
      ],
    ] as const;
    for (const [call, status] of steps) expect((await call).status).toBe(status);
  });

  it("answers 405 with Allow on every path, probes and docs included", async () => {
    for (const [method, path, allow] of [
      ["put", RESOURCE_PATH, "GET, HEAD, POST"],
      ["post", ITEM_PATH, "GET, HEAD, PUT, PATCH, DELETE"],
      ["post", "/live", "GET, HEAD"],
      ["post", "/health", "GET, HEAD"],
      ["post", "/api/docs/openapi.json", "GET, HEAD"],
    ] as const) {
      const response = await request(app)[method](path);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe(allow);
      expect(response.body.error).toMatchObject({
        code: "METHOD_NOT_ALLOWED",
        message: `method ${method.toUpperCase()} not allowed (allowed: ${allow})`,
      });
    }
  });

  it("tells a missing token from a bad one, in the message and the challenge", async () => {
    const missing = await request(app).get(RESOURCE_PATH).set("authorization", "Basic dTpw");
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toBe("Bearer");
    expect(missing.body.error.message).toBe("missing bearer token");

    const bad = await request(app).get(RESOURCE_PATH).set("authorization", "Bearer nope");
    expect(bad.status).toBe(401);
    expect(bad.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    expect(bad.body.error.message).toBe("invalid bearer token");
  });

  it("takes a lower-case scheme and answers HEAD like GET, without a body", async () => {
    prisma.$queryRaw.mockResolvedValue([]);
    const token = bearer().replace("Bearer", "bearer");
    const head = await request(app).head(RESOURCE_PATH).set("authorization", token);
    expect(head.status).toBe(200);
    expect(head.text).toBeUndefined();
  });

  it("accepts application/json with a UTF-8 charset only, and no content coding", async () => {
    prisma.item.create.mockResolvedValue(ROW);
    const sendAs = (headers: Record<string, string>) =>
      request(app)
        .post(RESOURCE_PATH)
        .set("authorization", bearer())
        .set(headers)
        .send('{"name":"x"}');

    for (const type of [
      JSON_TYPE,
      "Application/JSON; charset=UTF-8",
      'application/json; charset="utf-8"',
    ]) {
      expect((await sendAs({ "content-type": type })).status).toBe(201);
    }
    const unsupported: Record<string, string>[] = [
      { "content-type": "application/merge-patch+json" },
      { "content-type": "application/json; charset=latin1" },
      { "content-type": JSON_TYPE, "content-encoding": "deflate" },
    ];
    for (const headers of unsupported) {
      const response = await sendAs(headers);
      expect(response.status).toBe(415);
      expect(response.body.error.message).toBe("request body must be application/json");
    }
  });

  it("reads bodies up to REQUEST_BODY_MAX_BYTES and names the limit past it", async () => {
    prisma.item.create.mockResolvedValue(ROW);
    const small = buildApp(prisma, testConfig({ REQUEST_BODY_MAX_BYTES: "16" })).app;
    const post = (body: string) =>
      request(small)
        .post(RESOURCE_PATH)
        .set("authorization", bearer())
        .set("content-type", JSON_TYPE)
        .send(body);
    expect((await post('{"name":"12345"}')).status).toBe(201); // 16 bytes
    const large = await post('{"name":"123456"}');
    expect(large.status).toBe(413);
    expect(large.body.error).toMatchObject({
      code: "CONTENT_TOO_LARGE",
      message: "request body is larger than 16 bytes",
    });
  });

  it("refuses malformed JSON, trailing data and other values than objects", async () => {
    for (const body of ["{", '{"name":"x"}{}', "[1]", "3", "null", '"name"']) {
      const response = await request(app)
        .post(RESOURCE_PATH)
        .set("authorization", bearer())
        .set("content-type", JSON_TYPE)
        .send(body);
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([{ field: "body", message: expect.any(String) }]);
    }
  });

  it("names every bad field, one detail per unknown field", async () => {
    const response = await request(app)
      .patch(ITEM_PATH)
      .set("authorization", bearer())
      .send({ name: null, description: "x".repeat(10_001), colour: "red", size: 2 });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: "VALIDATION_ERROR",
      message: "invalid request",
    });
    const details = response.body.error.details as { field: string }[];
    expect(details.map((detail) => detail.field)).toEqual([
      "body.name",
      "body.description",
      "body.colour",
      "body.size",
    ]);
  });

  it("counts lengths in code points, as JSON Schema and PostgreSQL do", async () => {
    prisma.item.create.mockResolvedValue(ROW);
    const create = (name: string) =>
      request(app).post(RESOURCE_PATH).set("authorization", bearer()).send({ name });
    expect((await create("😀".repeat(200))).status).toBe(201); // 400 UTF-16 units, 200 characters
    expect((await create("😀".repeat(201))).status).toBe(400);
  });

  it("refuses malformed ids before looking anything up", async () => {
    const response = await request(app).get(`${RESOURCE_PATH}/42`).set("authorization", bearer());
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ field: "path.id", message: "must be a UUID" }]);
    expect(prisma.item.findUnique).not.toHaveBeenCalled();
  });

  it("looks an upper-case id up in lower case", async () => {
    prisma.item.findUnique.mockResolvedValue(null);
    const response = await request(app)
      .get(`${RESOURCE_PATH}/${ID.toUpperCase()}`)
      .set("authorization", bearer());
    expect(response.status).toBe(404);
    expect(response.body.error.message).toBe(`item '${ID}' not found`);
    expect(prisma.item.findUnique).toHaveBeenCalledWith({ where: { id: ID } });
  });

  it("checks an id with a malformed escape in the contract's order, as a malformed id", async () => {
    const path = `${RESOURCE_PATH}/%ZZ`;
    expect((await request(app).trace(path)).status).toBe(405);
    expect((await request(app).get(path)).status).toBe(401);
    const response = await request(app).get(path).set("authorization", bearer());
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ field: "path.id", message: "must be a UUID" }]);
    const unknown = await request(app).get("/%C0%AF");
    expect(unknown.body.error.message).toBe("no route for GET /%C0%AF");
  });

  it("answers 404 in the envelope for unknown paths, other letter cases and trailing slashes", async () => {
    const paths = [
      "/nowhere",
      "/HEALTH",
      "/health/",
      "/live/",
      `${RESOURCE_PATH}/`,
      "/api/docs/",
      "/metrics",
    ];
    for (const path of paths) {
      const response = await request(app).get(path);
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({
        code: "NOT_FOUND",
        message: `no route for GET ${path}`,
      });
    }
  });

  it("hides unexpected failures behind a 500 in the envelope, and logs them", async () => {
    const { logger, lines } = captureLogs();
    const logged = createApp({ config: testConfig(), prisma, logger, metrics: new Metrics() });
    prisma.item.findUnique.mockRejectedValue(new Error("driver exploded"));
    const response = await request(logged).get(ITEM_PATH).set("authorization", bearer());
    expect(response.status).toBe(500);
    expect(response.body.error).toMatchObject({
      code: "INTERNAL_ERROR",
      message: "internal server error",
    });
    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "unhandled error",
        error: expect.objectContaining({ message: "driver exploded" }),
      }),
    );
  });

  it("sends the security baseline on every response, and no other security header", async () => {
    for (const response of [
      await request(app).get("/nowhere"),
      await request(app).get("/api/docs"),
    ]) {
      expect(response.headers).toMatchObject({
        "cache-control": "no-store",
        "content-security-policy": "frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
      });
      for (const header of [
        "strict-transport-security",
        "x-xss-protection",
        "x-powered-by",
        "etag",
      ]) {
        expect(response.headers).not.toHaveProperty(header);
      }
    }
  });

  it("answers CORS for the configured origins only", async () => {
    const allowed = await request(app).get("/health").set("origin", "https://app.example.com");
    expect(allowed.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-expose-headers": "x-correlation-id, RateLimit, RateLimit-Policy, Retry-After",
      vary: "Origin",
    });

    const preflight = await request(app)
      .options(RESOURCE_PATH)
      .set("origin", "https://app.example.com")
      .set("access-control-request-method", "POST");
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE",
      "access-control-allow-headers": "Authorization, Content-Type, x-correlation-id",
      "access-control-max-age": "600",
    });
    expect(preflight.headers).not.toHaveProperty("access-control-allow-credentials");

    const nowhere = await request(app)
      .options("/nowhere")
      .set("origin", "https://app.example.com")
      .set("access-control-request-method", "GET");
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers).not.toHaveProperty("access-control-allow-methods");

    const stranger = await request(app)
      .options(RESOURCE_PATH)
      .set("origin", "https://evil.example.com")
      .set("access-control-request-method", "POST");
    expect(stranger.status).toBe(405);
    expect(
      Object.keys(stranger.headers).filter((name) => name.startsWith("access-control")),
    ).toEqual([]);
  });

  it("keeps a sane correlation id from the header or x-request-id, else makes one", async () => {
    const sent = await request(app).get("/nowhere").set("x-correlation-id", "abc.DEF_1:2-3");
    expect(sent.headers["x-correlation-id"]).toBe("abc.DEF_1:2-3");
    expect(sent.body.error.correlation_id).toBe("abc.DEF_1:2-3");
    const fallback = await request(app).get("/nowhere").set("x-request-id", "from-the-gateway");
    expect(fallback.headers["x-correlation-id"]).toBe("from-the-gateway");
    for (const forged of ["bad id with spaces", "x".repeat(129)]) {
      const response = await request(app).get("/nowhere").set("x-correlation-id", forged);
      expect(response.headers["x-correlation-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("reads and echoes the correlation id in CORRELATION_ID_HEADER", async () => {
    const custom = buildApp(prisma, testConfig({ CORRELATION_ID_HEADER: "X-Trace-Id" })).app;
    const response = await request(custom).get("/nowhere").set("x-trace-id", "trace-1");
    expect(response.headers["x-trace-id"]).toBe("trace-1");
    expect(response.headers).not.toHaveProperty("x-correlation-id");
  });

  it("is alive but unhealthy and not ready while the database fails", async () => {
    prisma.$queryRaw.mockRejectedValue(new Error("ECONNREFUSED"));

    const live = await request(app).get("/live");
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: "alive" });

    const health = await request(app).get("/health");
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: "unhealthy",
      service: "media-service",
      dependencies: {
        database: { status: "unhealthy", required: true },
        external_services: {},
      },
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

  it("serves api/openapi.json byte for byte, and Swagger UI at /api/docs", async () => {
    const document = await request(app).get("/api/docs/openapi.json").buffer(true);
    expect(document.status).toBe(200);
    expect(document.headers["content-type"]).toMatch(/^application\/json/);
    expect(Buffer.from(document.text)).toEqual(readFileSync(OPENAPI_PATH));

    const page = await request(app).get("/api/docs");
    expect(page.status).toBe(200);
    expect(page.text).toContain('url: "/api/docs/openapi.json"');
    const asset = await request(app).get("/api/docs/swagger-ui-bundle.js");
    expect(asset.status).toBe(200);
  });

  it("labels metrics with the document's path templates, or <unmatched>", async () => {
    const { app: measured, metricsApp } = buildApp(prisma);
    await request(measured).get(ITEM_PATH);
    await request(measured).trace(RESOURCE_PATH);
    await request(measured).get(`/random/${ID}`);
    // The probes go through the same middleware as the API: correlation id, metrics, log line.
    const live = await request(measured).get("/live").set("x-correlation-id", "probe-1");
    expect(live.headers["x-correlation-id"]).toBe("probe-1");
    const { text } = await request(metricsApp).get("/metrics");
    expect(text).toContain('route="/live",status_code="200"');
    expect(text).toContain(`route="${RESOURCE_PATH}/{id}",status_code="401"`);
    expect(text).toContain(`route="${RESOURCE_PATH}",status_code="405"`);
    expect(text).toContain('route="<unmatched>",status_code="404"');
  });

  it("logs one HTTP Request line per request with the guidelines' fields", async () => {
    const { logger, lines } = captureLogs();
    const logged = createApp({ config: testConfig(), prisma, logger, metrics: new Metrics() });
    prisma.item.findUnique.mockResolvedValue(null);
    await request(logged)
      .get(`${ITEM_PATH}?verbose=1`)
      .set("authorization", bearer("user-7"))
      .set("user-agent", "unit-test")
      .set("x-correlation-id", "log-1");

    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: "info",
        message: "HTTP Request",
        method: "GET",
        url: `${ITEM_PATH}?verbose=1`,
        statusCode: 404,
        responseTime: expect.any(Number),
        userAgent: "unit-test",
        ip: expect.any(String),
        correlationId: "log-1",
        userId: "user-7",
        route: `${RESOURCE_PATH}/{id}`,
      }),
    );
  });
});

describe("HealthService", () => {
  it("gives up on a database that does not answer within the timeout", async () => {
    const prisma = mockPrisma();
    prisma.$queryRaw.mockReturnValue(new Promise(() => undefined) as never);
    const health = new HealthService(prisma, { timeoutMs: 50 });

    await expect(health.databaseReachable()).resolves.toBe(false);
    const { database } = (await health.health()).dependencies;
    expect(database.status).toBe("unhealthy");
    expect(database.latency_ms).toBeGreaterThanOrEqual(49);
  });

  it("is not migrated while a shipped migration is missing from the database", async () => {
    const prisma = mockPrisma();
    prisma.$queryRaw.mockResolvedValue([] as never);
    await expect(new HealthService(prisma).migrationsApplied()).resolves.toBe(false);
  });
});
