import request from "supertest";

import { bearer, buildApp, RESOURCE_PATH, testConfig } from "../helpers";
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

/** The app with a budget of `requests` per minute, and the other settings given. */
function limitedApp(requests: number, settings: Record<string, string> = {}) {
  const prisma = mockPrisma();
  prisma.item.findUnique.mockResolvedValue(ROW);
  const config = testConfig({ RATE_LIMIT_REQUESTS: String(requests), ...settings });
  return buildApp(prisma, config).app;
}

/** The `r` of a RateLimit header: the requests left in the window. */
const remaining = (header: unknown) => /;r=([0-9]+);/.exec(String(header))?.[1];

describe("the rate limit", () => {
  it("answers 429 with the envelope and Retry-After past the budget, its headers on each", async () => {
    const app = limitedApp(3);
    const auth = bearer("user-1", []);
    for (const left of ["2", "1", "0"]) {
      const response = await request(app).get(ITEM_PATH).set("authorization", auth);
      expect(response.status).toBe(200);
      expect(response.headers["ratelimit-policy"]).toBe('"default";q=3;w=60');
      expect(response.headers.ratelimit).toMatch(/^"default";r=[0-9]+;t=(60|59)$/);
      expect(remaining(response.headers.ratelimit)).toBe(left);
      expect(response.headers).not.toHaveProperty("retry-after");
    }

    const refused = await request(app).get(ITEM_PATH).set("authorization", auth);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "rate limit of 3 requests per 60 s exceeded",
      correlation_id: expect.any(String),
    });
    expect(refused.headers["ratelimit-policy"]).toBe('"default";q=3;w=60');
    expect(remaining(refused.headers.ratelimit)).toBe("0");
    const reset = /;t=([0-9]+)$/.exec(String(refused.headers.ratelimit))?.[1];
    expect(refused.headers["retry-after"]).toBe(reset);

    // Every subject has a budget of its own.
    const other = await request(app).get(ITEM_PATH).set("authorization", bearer("user-2", []));
    expect(other.status).toBe(200);
    expect(remaining(other.headers.ratelimit)).toBe("2");
  });

  it("counts requests without a valid token by address, and refuses them before the 401", async () => {
    const app = limitedApp(3);
    const statuses = [];
    for (const authorization of ["", "Bearer not-a-jwt", "", "Bearer not-a-jwt"]) {
      const response = await request(app).get(ITEM_PATH).set("authorization", authorization);
      expect(response.headers).toHaveProperty("ratelimit");
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // A valid token is counted by its subject, not by the address that spent its budget.
    expect((await request(app).get(ITEM_PATH).set("authorization", bearer())).status).toBe(200);
  });

  it("puts its headers on every counted answer, and none on a 404, a 405 or a probe", async () => {
    const app = limitedApp(10);
    const forbidden = await request(app)
      .delete(ITEM_PATH)
      .set("authorization", bearer("reader", []));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers).toHaveProperty("ratelimit");
    for (const path of [`${RESOURCE_PATH}/`, "/live", "/ready", "/health", "/api/docs"]) {
      const response = await request(app).get(path);
      expect(response.headers).not.toHaveProperty("ratelimit");
      expect(response.headers).not.toHaveProperty("ratelimit-policy");
    }
    const notAllowed = await request(app).trace(RESOURCE_PATH);
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers).not.toHaveProperty("ratelimit");
  });

  it("never counts the probes", async () => {
    const app = limitedApp(1);
    for (let i = 0; i < 3; i += 1) {
      expect((await request(app).get("/live")).status).toBe(200);
    }
    const first = await request(app).get(ITEM_PATH).set("authorization", bearer());
    expect(first.status).toBe(200);
    expect(remaining(first.headers.ratelimit)).toBe("0");
  });

  it("takes the address from X-Forwarded-For only when the peer is a trusted proxy", async () => {
    const app = limitedApp(1, { TRUSTED_PROXIES: "127.0.0.1, ::1" });
    const from = (forwarded: string) =>
      request(app).get(ITEM_PATH).set("x-forwarded-for", forwarded);
    expect((await from("203.0.113.1")).status).toBe(401);
    expect((await from("203.0.113.1")).status).toBe(429);
    // Another forwarded address, another budget; the rightmost untrusted one is the client's.
    expect((await from("203.0.113.1, 203.0.113.2")).status).toBe(401);
    expect((await from("203.0.113.2, 127.0.0.1")).status).toBe(429);
  });

  it("ignores X-Forwarded-For when TRUSTED_PROXIES is empty", async () => {
    const app = limitedApp(1);
    expect((await request(app).get(ITEM_PATH).set("x-forwarded-for", "203.0.113.1")).status).toBe(
      401,
    );
    expect((await request(app).get(ITEM_PATH).set("x-forwarded-for", "203.0.113.2")).status).toBe(
      429,
    );
  });

  it("counts nothing and sends no RateLimit header with RATE_LIMIT_REQUESTS=0", async () => {
    const app = limitedApp(0);
    for (let i = 0; i < 5; i += 1) {
      const response = await request(app).get(ITEM_PATH).set("authorization", bearer());
      expect(response.status).toBe(200);
      expect(response.headers).not.toHaveProperty("ratelimit");
      expect(response.headers).not.toHaveProperty("ratelimit-policy");
    }
  });
});
