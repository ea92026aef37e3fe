import { DatabaseError } from "pg";

import { createDatabase } from "../../src/config/database";
import { Metrics } from "../../src/utils/metrics";
import { errorType } from "../../src/utils/query-metrics";
import { samples, testConfig } from "../helpers";

describe("errorType", () => {
  const answered = (code?: string) => {
    const error = new DatabaseError("failed", 0, "error");
    error.code = code;
    return error;
  };

  it("is the SQLSTATE PostgreSQL answered with", () => {
    expect(errorType(answered("23505"))).toBe("23505");
    expect(errorType(answered("57014"))).toBe("57014");
    expect(errorType(answered("P0001"))).toBe("P0001");
  });

  it("is `connection` when the server gave no answer", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const broken = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    expect(errorType(refused)).toBe("connection");
    expect(errorType(broken)).toBe("connection");
    expect(errorType(new Error("Connection terminated unexpectedly"))).toBe("connection");
    expect(errorType(answered(undefined))).toBe("connection");
    expect(errorType(answered("oops"))).toBe("connection");
    expect(errorType("a string")).toBe("connection");
  });
});

/** The pool's hooks when no connection can be opened: nothing reaches PostgreSQL. */
describe("the database metrics of a pool that cannot connect", () => {
  const config = testConfig({
    DATABASE_URL: "postgresql://nobody:nothing@127.0.0.1:9/none", // refused
    DB_POOL_SIZE: "3",
  });

  it("records no statement: none reached PostgreSQL", async () => {
    const metrics = new Metrics();
    const database = createDatabase(config, metrics);
    try {
      await expect(database.prisma.$queryRaw`SELECT 1`).rejects.toThrow();
      const failed = await new Promise((resolve) => {
        database.pool.query("DELETE FROM assets WHERE id = $1", ["x"], resolve);
      });
      expect(failed).toMatchObject({ code: "ECONNREFUSED" });
      await expect(database.pool.query("BEGIN")).rejects.toThrow();

      const text = await metrics.registry.metrics();
      expect(samples(text, "db_query_errors_total")).toEqual([]);
      expect(samples(text, "db_query_duration_seconds_count")).toEqual([]);
      expect(samples(text, "db_connections_max")).toEqual([{ labels: {}, value: 3 }]);
    } finally {
      await database.close();
    }
  });

  it("leaves the pool unobserved without metrics", async () => {
    const database = createDatabase(config);
    try {
      await expect(database.pool.query("SELECT 1")).rejects.toThrow();
    } finally {
      await database.close();
    }
  });
});
