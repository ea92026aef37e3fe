import express, { type RequestHandler } from "express";
import request from "supertest";

import { admitRequests } from "../../src/middleware/admission";
import { correlationId } from "../../src/middleware/correlation-id";
import { errorHandler } from "../../src/middleware/errors";
import { captureLogs } from "../helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An app whose one route is admitted by `admitRequests`, then answered by `handler`. */
function admittedApp(maxInProgress: number, timeoutMs: number, handler: RequestHandler) {
  const { logger, lines } = captureLogs();
  const app = express();
  app.use(correlationId("x-correlation-id"));
  app.get("/slow", admitRequests({ maxInProgress, timeoutMs }), handler);
  app.use(errorHandler(logger));
  return { app, lines };
}

describe("the request deadline", () => {
  it("answers 503 at the deadline, and drops what the handler does later", async () => {
    const finished: string[] = [];
    const late: RequestHandler = async (req, res) => {
      const outcome = req.query.outcome as string;
      await sleep(1_000);
      finished.push(outcome);
      if (outcome === "fails") throw new Error("canceling statement due to timeout");
      if (outcome === "ends") res.status(204).end();
      else res.json({ answered: "too late" });
    };
    const { app, lines } = admittedApp(10, 100, late);
    for (const outcome of ["answers", "fails", "ends"]) {
      const started = Date.now();
      const response = await request(app).get(`/slow?outcome=${outcome}`);
      expect(Date.now() - started).toBeLessThan(900); // not the handler's 1 s
      expect(response.status).toBe(503);
      expect(response.body.error).toMatchObject({
        code: "SERVICE_UNAVAILABLE",
        message: "request took longer than 100 ms",
      });
      expect(response.headers).not.toHaveProperty("retry-after");
    }
    await sleep(1_100);
    expect(finished).toEqual(["answers", "fails", "ends"]);
    expect(lines().filter((line) => line.level === "error")).toEqual([]);
  });

  it("answers the deadline's 503, not a 500, to a failure that comes before its timer", async () => {
    const { app, lines } = admittedApp(10, 50, () => {
      const until = Date.now() + 80;
      while (Date.now() < until) {
        // the event loop stalls past the deadline, as when the statement's cancel comes first
      }
      throw new Error("canceling statement due to statement timeout");
    });
    const response = await request(app).get("/slow");
    expect(response.status).toBe(503);
    expect(response.body.error.message).toBe("request took longer than 50 ms");
    expect(lines().filter((line) => line.level === "error")).toEqual([]);
  });

  it("leaves a request answered in time alone", async () => {
    const { app } = admittedApp(10, 200, (_req, res) => {
      res.json({ answered: "in time" });
    });
    const response = await request(app).get("/slow");
    expect(response.status).toBe(200);
    await sleep(250); // past the deadline: nothing more happens
    expect(response.body).toEqual({ answered: "in time" });
  });
});

describe("load shedding", () => {
  it("answers 503 with Retry-After past the requests in progress, and admits once one ends", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = 0;
    const { app } = admittedApp(1, 5_000, async (_req, res) => {
      entered += 1;
      if (entered === 1) await held;
      res.json({ entered });
    });
    const first = request(app)
      .get("/slow")
      .then((response) => response);
    while (entered === 0) await sleep(5);

    const shed = await request(app).get("/slow");
    expect(shed.status).toBe(503);
    expect(shed.headers["retry-after"]).toBe("1");
    expect(shed.body.error).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: "too many requests in progress",
    });

    release();
    expect((await first).status).toBe(200);
    expect((await request(app).get("/slow")).status).toBe(200);
  });
});
