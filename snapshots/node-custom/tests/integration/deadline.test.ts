import { Client } from "pg";
import request from "supertest";

import { createDatabase, type Database } from "../../src/config/database";
import { Metrics } from "../../src/utils/metrics";
import {
  bearer,
  buildApp,
  integrationDatabaseUrl,
  RESOURCE_PATH,
  samples,
  testConfig,
} from "../helpers";

// The service's connections in pg_stat_activity: its pool names them so (src/config/database.ts).
const APPLICATION_NAME = "deadline-test";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The statements of the service's connections running or waiting in PostgreSQL, read every 50 ms
 * until they are as `wanted` or 2 s have passed.
 */
async function statementsOnce(observer: Client, wanted: (queries: string[]) => boolean) {
  const giveUp = Date.now() + 2_000;
  for (;;) {
    const { rows } = await observer.query<{ query: string }>(
      "SELECT query FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
      [APPLICATION_NAME],
    );
    const queries = rows.map((row) => row.query);
    if (wanted(queries) || Date.now() > giveUp) return queries;
    await sleep(50);
  }
}

/**
 * The deadline and load shedding against the real PostgreSQL of DATABASE_URL: another connection
 * holds the media-assets table locked, so the service's statement waits for as long as it is held.
 */
describe("a request held up by the database", () => {
  let locker: Client;
  let observer: Client;
  const databases: Database[] = [];

  beforeAll(async () => {
    locker = new Client({ connectionString: integrationDatabaseUrl() });
    observer = new Client({ connectionString: integrationDatabaseUrl() });
    await Promise.all([locker.connect(), observer.connect()]);
  });
  afterEach(async () => {
    await locker.query("ROLLBACK"); // releases the lock, if a test left it held
  });
  afterAll(async () => {
    await Promise.all([locker.end(), observer.end(), ...databases.map((db) => db.close())]);
  });

  /** The app over a pool of its own, named APPLICATION_NAME, with the settings given. */
  function appWith(settings: Record<string, string>, metrics = new Metrics()) {
    const config = testConfig({
      DATABASE_URL: integrationDatabaseUrl(),
      SERVICE_NAME: APPLICATION_NAME,
      ...settings,
    });
    const database = createDatabase(config, metrics);
    databases.push(database);
    return buildApp(database.prisma, config, metrics).app;
  }

  const lockTable = async () => {
    await locker.query("BEGIN");
    await locker.query('LOCK TABLE "media_assets" IN ACCESS EXCLUSIVE MODE');
  };

  it("answers 503 at REQUEST_TIMEOUT, and PostgreSQL stops the statement", async () => {
    const metrics = new Metrics();
    const app = appWith({ REQUEST_TIMEOUT: "1s" }, metrics);
    await lockTable();

    const started = Date.now();
    const response = await request(app).get(RESOURCE_PATH).set("authorization", bearer());
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    expect(response.body.error).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: "request took longer than 1 s",
    });
    expect(response.headers).not.toHaveProperty("retry-after");
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_000);

    // statement_timeout ends it: nothing of the service still runs or waits for the lock.
    expect(await statementsOnce(observer, (queries) => queries.length === 0)).toEqual([]);

    await locker.query("ROLLBACK");
    const next = await request(app).get(RESOURCE_PATH).set("authorization", bearer());
    expect(next.status).toBe(200);

    // The cancelled statement is recorded as any cancelled one (SQLSTATE 57014), and the request
    // as its 503 alone: no 500 for what the handler met after its deadline.
    const exposition = await metrics.registry.metrics();
    expect(samples(exposition, "db_query_errors_total")).toEqual([
      {
        labels: { operation: "select", table: "media_assets", error_type: "57014" },
        value: 1,
      },
    ]);
    const statuses = samples(exposition, "http_requests_total").map(({ labels, value }) => [
      labels.status_code,
      value,
    ]);
    expect(statuses).toEqual([
      ["503", 1],
      ["200", 1],
    ]);
  });

  it("sheds a request past MAX_CONCURRENT_REQUESTS while the probes still answer", async () => {
    const app = appWith({ MAX_CONCURRENT_REQUESTS: "1" });
    await lockTable();

    const first = request(app)
      .get(RESOURCE_PATH)
      .set("authorization", bearer())
      .then((response) => response);
    // In progress once its statement waits for the lock.
    await statementsOnce(observer, (queries) => queries.length > 0);

    const shed = await request(app).get(RESOURCE_PATH).set("authorization", bearer());
    expect(shed.status).toBe(503);
    expect(shed.headers["retry-after"]).toBe("1");
    expect(shed.body.error).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: "too many requests in progress",
    });
    // Not counted by the rate limit.
    expect(shed.headers).not.toHaveProperty("ratelimit");
    expect((await request(app).get("/live")).status).toBe(200);

    await locker.query("ROLLBACK");
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(answered.headers.ratelimit).toMatch(/^"default";r=5999;/);
  });
});
