import { DatabaseError, type Pool, type PoolClient } from "pg";

import type { Metrics } from "./metrics";
import { classifyStatement, type Statement } from "./statement";

type Query = (...args: unknown[]) => unknown;
type Callback = (error: unknown, result: unknown) => unknown;

/**
 * Reports each statement sent through `pool` as db_query_duration_seconds and, when it fails, as
 * db_query_errors_total (guidelines 5.3). Hooked once on the node-postgres pool under Prisma's
 * adapter, it sees every statement Prisma sends, in a transaction or not, raw queries (the
 * probes') included: each connection's `query` is wrapped as the pool opens it. A statement no
 * connection could be opened for reached no database and is not recorded, as in every Visiobook
 * backend (the pool's failure shows in /ready and db_connections_active instead).
 */
export function observeQueries(pool: Pool, metrics: Metrics): void {
  pool.on("connect", (client: PoolClient) => {
    const query = client.query.bind(client) as Query;
    const observed: Query = (...args) => {
      const statement = statementOf(args[0]);
      if (statement === null) return query(...args);
      const started = performance.now();
      return settle(query, args, (error) => {
        const seconds = (performance.now() - started) / 1000;
        metrics.observeQuery(
          statement,
          seconds,
          error === undefined ? undefined : errorType(error),
        );
      });
    };
    client.query = observed as PoolClient["query"];
  });
}

/** The label PostgreSQL's answer gives a failure: its SQLSTATE, else `connection` (no answer). */
export function errorType(error: unknown): string {
  if (error instanceof DatabaseError && error.code !== undefined && SQLSTATE.test(error.code)) {
    return error.code;
  }
  return "connection";
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

function statementOf(config: unknown): Statement | null {
  if (typeof config === "string") return classifyStatement(config);
  if (isObject(config) && "text" in config && typeof config.text === "string") {
    return classifyStatement(config.text);
  }
  return null; // not a statement node-postgres sends as text (e.g. a cursor): not recorded
}

/**
 * Calls `query` with `args`, then `done` with its error (undefined on success), whichever way
 * node-postgres answers: through a callback (the last argument) or a promise. Any other answer
 * (a submittable's events) is not waited for.
 */
function settle(query: Query, args: unknown[], done: (error?: unknown) => void): unknown {
  const last = args.length - 1;
  if (typeof args[last] === "function") {
    const callback = args[last] as Callback;
    args[last] = (error: unknown, result: unknown) => {
      done(error ?? undefined);
      return callback(error, result);
    };
    return query(...args);
  }
  const answer = query(...args);
  if (!isPromise(answer)) return answer;
  return answer.then(
    (result: unknown) => {
      done();
      return result;
    },
    (error: unknown) => {
      done(error);
      throw error;
    },
  );
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return isObject(value) && "then" in value && typeof value.then === "function";
}
