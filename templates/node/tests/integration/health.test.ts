import request from "supertest";

import type { Database } from "../../src/config/database";
import { buildApp } from "../helpers";
import { connectTestDatabase } from "./database";

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
      checks: { database: true, database_migrations: true, configuration: true },
    });
  });

  it("reports the database as healthy in /health", async () => {
    const response = await request(buildApp(database.prisma).app).get("/health");
    expect(response.status).toBe(200);
    expect(response.body.dependencies.database).toBe("healthy");
  });

  it("reports the pool's connections in use as db_connections_active", async () => {
    const { app, metrics } = buildApp(database.prisma);
    metrics.trackConnections(database.pool);
    const client = await database.pool.connect(); // held: one connection in use
    try {
      const response = await request(app).get("/metrics");
      expect(response.text).toMatch(/^db_connections_active 1$/m);
    } finally {
      client.release();
    }
    const idle = await request(app).get("/metrics");
    expect(idle.text).toMatch(/^db_connections_active 0$/m);
  });
});
