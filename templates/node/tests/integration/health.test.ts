import request from "supertest";

import type { PrismaClient } from "../../src/config/database";
import { buildApp } from "../helpers";
import { connectTestDatabase } from "./database";

describe("probes against PostgreSQL", () => {
  let prisma: PrismaClient;

  beforeAll(() => {
    prisma = connectTestDatabase();
  });
  afterAll(() => prisma.$disconnect());

  it("is ready when the database answers and every migration is applied", async () => {
    const response = await request(buildApp(prisma).app).get("/ready");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: "ready",
      checks: { database: true, database_migrations: true, configuration: true },
    });
  });

  it("reports the database as healthy in /health", async () => {
    const response = await request(buildApp(prisma).app).get("/health");
    expect(response.status).toBe(200);
    expect(response.body.dependencies.database).toBe("healthy");
  });
});
