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

  it("answers both probes whatever the Host header: no host allow-list", async () => {
    const { app } = buildApp(database.prisma);
    const hosts = [
      "10.1.2.3:8080", // kubelet, probing the pod by its IP
      "media-service.default.svc.cluster.local", // another service, through the Service
      "api.visiobook.com", // the ingress
      "localhost",
    ];
    for (const host of hosts) {
      for (const path of ["/health", "/ready"]) {
        const response = await request(app).get(path).set("host", host);
        expect({ host, path, status: response.status }).toEqual({ host, path, status: 200 });
      }
    }
  });
});
