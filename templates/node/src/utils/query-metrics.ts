import { DatabaseError, type Pool, type PoolClient } from "pg";

import type { Metrics } from "./metrics";
import { classifyStatement, type Statement } from "./statement";

type Query = (...args: unknown[]) => unknown;
type Callback = (error: unknown, result: unknown) => unknown;

/**
 * Reports each statement sent through `pool` as db_query_duration_seconds and, when it fails, as
 * db_query_errors_total (guidelines 5.3). Hooked once on the node-postgres pool under Prisma's
 * adapter, it sees every statement Prisma sends, in a transaction or not, raw queries (the
 * probes') included: each connection's `query` is wrapped as the pool opens it, and the pool's
 * own `query` records a statement that never reached a connection (none could be opened).
 */
export function observeQueries(pool: Pool, metrics: Metrics): void {
  // Statements given to pool.query() that no connection has been handed yet.
  const waiting = new WeakSet<object>();

  pool.on("connect", (client: PoolClient) => {
    const query = client.query.bind(client) as Query;
    const observed: Query = (...args) => {
      const [config] = args;
      if (isObject(config)) waiting.delete(config);
      const statement = statementOf(config);
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

  const query = pool.query.bind(pool) as Query;
  const observed: Query = (...args) => {
    // As a query config (the same to node-postgres), the statement is an object to look for.
    if (typeof args[0] === "string") args[0] = { text: args[0] };
    const [config] = args;
    const statement = statementOf(config);
    if (statement === null || !isObject(config)) return query(...args);
    waiting.add(config);
    const started = performance.now();
    return settle(query, args, (error) => {
      if (error !== undefined && waiting.delete(config)) {
        metrics.observeQuery(statement, (performance.now() - started) / 1000, errorType(error));
      }
    });
  };
  pool.query = observed as Pool["query"];
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
