import net from "node:net";

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
import { connectTestDatabase, emptyTables } from "./database";

// The resource's table, as Prisma names it (@@map in prisma/schema.prisma).
const TABLE = "media_assets";

/**
 * The database metrics (guidelines 5.3) after real statements, as the metrics listener
 * (PROMETHEUS_PORT) serves them: every statement by operation and table, failures by SQLSTATE.
 */
describe("database metrics against PostgreSQL", () => {
  let plain: Database; // empties the tables, unobserved
  let database: Database;
  let metrics: Metrics;
  let app: ReturnType<typeof buildApp>["app"];
  let metricsApp: ReturnType<typeof buildApp>["metricsApp"];
  const auth = bearer();

  beforeAll(() => {
    plain = connectTestDatabase();
  });
  afterAll(() => plain.close());
  beforeEach(async () => {
    await emptyTables(plain.prisma);
    metrics = new Metrics();
    database = connectTestDatabase(metrics);
    ({ app, metricsApp } = buildApp(database.prisma, testConfig(), metrics));
  });
  afterEach(() => database.close());

  const scrape = async () => (await request(metricsApp).get("/metrics")).text;
  const create = (name: string) =>
    request(app).post(RESOURCE_PATH).set("authorization", auth).send({ name });

  it("times each statement by operation and table and counts a failed one by its SQLSTATE", async () => {
    expect((await create("first")).status).toBe(201);
    expect((await request(app).get(RESOURCE_PATH).set("authorization", auth)).status).toBe(200);
    // A unique violation, straight through Prisma: the same name again.
    const model = database.prisma.mediaAsset;
    await expect(model.create({ data: { name: "first" } })).rejects.toThrow();

    const text = await scrape();
    const inserts = samples(text, "db_query_duration_seconds_bucket").filter(
      ({ labels }) => labels.operation === "insert" && labels.table === TABLE,
    );
    expect(inserts.map(({ labels }) => labels.le)).toEqual([
      "0.01",
      "0.05",
      "0.1",
      "0.5",
      "1",
      "2",
      "+Inf",
    ]);
    expect(inserts.at(-1)?.value).toBe(2); // the failed insert is timed too
    expect(samples(text, "db_query_duration_seconds_count")).toContainEqual({
      labels: { operation: "select", table: TABLE },
      value: 1, // the page and its total: one statement
    });
    expect(text).toMatch(
      new RegExp(
        `^db_query_errors_total\\{operation="insert",table="${TABLE}",error_type="23505"\\} 1$`,
        "m",
      ),
    );
    expect(samples(text, "db_query_errors_total")).toHaveLength(1);
  });

  it("labels what each route sends, and leaves transaction control out", async () => {
    const created = await create("first");
    const url = `${RESOURCE_PATH}/${created.body.id as string}`;
    const statuses = [
      (await request(app).get(RESOURCE_PATH).set("authorization", auth)).status,
      (await request(app).get(url).set("authorization", auth)).status,
      (await request(app).put(url).set("authorization", auth).send({ name: "second" })).status,
      (await request(app).patch(url).set("authorization", auth).send({})).status,
      (await request(app).delete(url).set("authorization", auth)).status,
      (await request(app).get("/ready")).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 204, 200]);

    const counts = samples(await scrape(), "db_query_duration_seconds_count");
    expect(
      Object.fromEntries(
        counts.map(({ labels, value }) => [`${labels.operation} ${labels.table}`, value]),
      ),
    ).toEqual({
      [`insert ${TABLE}`]: 1,
      [`select ${TABLE}`]: 2, // the list (its page and total in one statement), the get
      [`update ${TABLE}`]: 2,
      [`delete ${TABLE}`]: 1,
      "select unknown": 1, // /ready: SELECT 1
      "select _prisma_migrations": 1, // /ready: the migrations applied
    });
  });

  it("labels any failure PostgreSQL answers with its SQLSTATE", async () => {
    await expect(database.prisma.$queryRaw`SELECT 1 / 0`).rejects.toThrow();
    await expect(database.pool.query("SELECT * FROM no_such_table")).rejects.toThrow();
    // Cancelled by the server: statement_timeout (SET LOCAL itself is not recorded).
    await expect(
      database.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL statement_timeout = 50`;
        await tx.$queryRaw`SELECT pg_sleep(1)`;
      }),
    ).rejects.toThrow();

    const text = await scrape();
    expect(samples(text, "db_query_errors_total")).toEqual([
      { labels: { operation: "select", table: "unknown", error_type: "22012" }, value: 1 },
      { labels: { operation: "select", table: "no_such_table", error_type: "42P01" }, value: 1 },
      { labels: { operation: "select", table: "unknown", error_type: "57014" }, value: 1 },
    ]);
  });

  it("labels a statement whose connection is lost `connection`", async () => {
    // The database behind a TCP relay, cut while a statement runs.
    const server = new URL(integrationDatabaseUrl());
    const sockets: net.Socket[] = [];
    const relay = net.createServer((socket) => {
      const upstream = net.connect(Number(server.port || "5432"), server.hostname);
      for (const end of [socket, upstream]) {
        end.on("error", () => undefined);
        sockets.push(end);
      }
      socket.pipe(upstream).pipe(socket);
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const address = relay.address() as net.AddressInfo;
    const relayed = new URL(server);
    relayed.host = `127.0.0.1:${address.port}`;
    const lost = createDatabase(testConfig({ DATABASE_URL: relayed.toString() }), metrics);
    try {
      // A Prisma query is sent once awaited: expect() awaits it now.
      const cut = expect(lost.prisma.$queryRaw`SELECT pg_sleep(10) AS cut`).rejects.toThrow();
      await until(async () => {
        const running = await plain.prisma.$queryRaw<unknown[]>`
          SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(10) AS cut'`;
        return running.length > 0;
      });
      for (const socket of sockets) socket.destroy();
      await cut;
      // The server notices the lost client only when the statement ends: end it now.
      await plain.prisma.$queryRaw`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE query = 'SELECT pg_sleep(10) AS cut'`;

      expect(samples(await scrape(), "db_query_errors_total")).toEqual([
        { labels: { operation: "select", table: "unknown", error_type: "connection" }, value: 1 },
      ]);
    } finally {
      await lost.close();
      await new Promise((resolve) => relay.close(resolve));
    }
  }, 20_000);

  it("reports DB_POOL_SIZE as db_connections_max, and the connections in use", async () => {
    const text = await scrape();
    expect(text).toMatch(new RegExp(`^db_connections_max ${testConfig().DB_POOL_SIZE}$`, "m"));
    const client = await database.pool.connect(); // held: one connection in use
    try {
      expect(await scrape()).toMatch(/^db_connections_active 1$/m);
    } finally {
      client.release();
    }
    expect(await scrape()).toMatch(/^db_connections_active 0$/m);
  });
});

/** Waits until `condition` holds, checking every 20 ms for at most 5 s. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 250; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("timed out waiting");
}
