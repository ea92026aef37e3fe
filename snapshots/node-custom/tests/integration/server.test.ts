import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { close, listen } from "../../src/utils/listen";
import { integrationDatabaseUrl, integrationRedisUrl, TEST_SECRET } from "../helpers";

jest.setTimeout(60_000);

/** A port free a moment ago. */
async function freePort(): Promise<number> {
  const server = await listen(() => undefined, 0, "PORT");
  const { port } = server.address() as AddressInfo;
  await close(server);
  return port;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

/** The entry point (src/server.ts) as `npm run dev` runs it, in a process of its own. */
function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "test",
      DATABASE_URL: integrationDatabaseUrl(),
      REDIS_URL: integrationRedisUrl(),
      JWT_SECRET: TEST_SECRET,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let text = "";
  child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, output: () => text, exited };
}

function logLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function startedLine(service: Started): Promise<Record<string, unknown>> {
  for (;;) {
    const line = logLines(service.output()).find((entry) => entry.message === "service started");
    if (line) return line;
    const done = await Promise.race([
      service.exited.then(() => true),
      new Promise((resolve) => setTimeout(resolve, 100, false)),
    ]);
    if (done) throw new Error(`the service exited before it started:\n${service.output()}`);
  }
}

describe("the server process", () => {
  afterEach(() => {
    // A test that failed half-way leaves no server behind.
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  it("serves the API on PORT, /metrics alone on PROMETHEUS_PORT, and stops on SIGTERM", async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const service = start({ PORT: String(port), PROMETHEUS_PORT: String(metricsPort) });
    try {
      expect(await startedLine(service)).toMatchObject({ port, metricsPort });
      const api = `http://127.0.0.1:${port}`;
      const metrics = `http://127.0.0.1:${metricsPort}`;
      expect((await fetch(`${api}/live`)).status).toBe(200);
      expect((await fetch(`${api}/health`)).status).toBe(200);
      const hidden = await fetch(`${api}/metrics`);
      expect(hidden.status).toBe(404);
      expect(((await hidden.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
      const scraped = await fetch(`${metrics}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/^http_requests_total\{.*route="\/health"/m);
      expect((await fetch(`${metrics}/health`)).status).toBe(404);
    } finally {
      service.child.kill("SIGTERM");
    }
    expect(await service.exited).toBe(0);
    expect(logLines(service.output()).map((line) => line.message)).toContain("shutdown complete");
  });

  it.each(["PORT", "PROMETHEUS_PORT"])("exits 1 when it cannot listen on %s", async (name) => {
    const taken: Server = createServer().listen(0);
    await once(taken, "listening");
    try {
      const { port } = taken.address() as AddressInfo;
      const other = String(await freePort());
      const ports =
        name === "PORT"
          ? { PORT: String(port), PROMETHEUS_PORT: other }
          : { PORT: other, PROMETHEUS_PORT: String(port) };
      const service = start(ports);
      expect(await service.exited).toBe(1);
      expect(logLines(service.output())).toContainEqual(
        expect.objectContaining({
          level: "error",
          message: "service could not start",
          error: expect.stringContaining(`cannot listen on ${name} ${port}: listen EADDRINUSE`),
        }),
      );
    } finally {
      await close(taken);
    }
  });

  it("exits 2 when PROMETHEUS_PORT is PORT", async () => {
    const port = String(await freePort());
    const service = start({ PORT: port, PROMETHEUS_PORT: port });
    expect(await service.exited).toBe(2);
    expect(service.output()).toContain(
      "invalid configuration: PROMETHEUS_PORT must differ from PORT",
    );
  });

  it("exits 2 with one line when an external service has no URL", async () => {
    const service = start({ EXTERNAL_SERVICES: "storage-service", STORAGE_SERVICE_URL: "" });
    expect(await service.exited).toBe(2);
    expect(service.output().trim()).toBe(
      "invalid configuration: EXTERNAL_SERVICES names 'storage-service', " +
        "so STORAGE_SERVICE_URL must be set",
    );
  });
});
