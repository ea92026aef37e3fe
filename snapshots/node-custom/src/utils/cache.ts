import type { RedisClient } from "../config/redis";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";

// Every operation gives up after this long (docs/contract.md, Cache): a slow Redis costs a
// request at most this much before it is served from the database. The client's own command
// timeout stops counting once a command is sent, so a Redis that stops answering would hang.
export const OPERATION_TIMEOUT_MS = 500;

type Operation = "get" | "set" | "invalidate";
type Result = "hit" | "miss" | "ok";

/**
 * What a cached read found: the value, or on a miss the key to store the database's answer
 * under (none when Redis failed: the answer is not stored then).
 */
export type Lookup<T> = { hit: true; value: T } | { hit: false; key?: string };

export interface CacheOptions {
  /** Starts every key: `<SERVICE_NAME>:<resource>:`. */
  prefix: string;
  /** How long an entry is kept at most (CACHE_TTL). */
  ttlMs: number;
}

/**
 * The resource's reads kept in Redis (docs/contract.md, Cache): one item at `item:<id>`, one page
 * at `list:<generation>:<query>`. A write invalidates its item and increments `generation`, so
 * every cached page is out of use at once and expires by itself.
 *
 * Redis is never needed to answer: a failed or slow command is counted, logged and otherwise
 * ignored, and the caller reads the database as if nothing were cached.
 */
export class Cache {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: CacheOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** The item cached under `id`. */
  getItem<T>(id: string): Promise<Lookup<T>> {
    return this.lookup(() => Promise.resolve(this.itemKey(id)));
  }

  /** The page cached for `query` (page, limit, sort and filter as validated) in this generation. */
  getPage<T>(query: string): Promise<Lookup<T>> {
    return this.lookup(async () => {
      // The generation current before the database is read: a write that lands meanwhile
      // increments it, and the page stored under the old one is never read.
      const generation = (await this.redis.get(this.generationKey())) ?? "0";
      return `${this.options.prefix}list:${generation}:${query}`;
    });
  }

  /** Stores `value` at `key` (from a lookup's miss) for the TTL. */
  async set(key: string, value: unknown): Promise<void> {
    await this.attempt("set", async () => {
      const expiration = { type: "PX", value: this.options.ttlMs } as const;
      await this.redis.set(key, JSON.stringify(value), { expiration });
      return "ok";
    });
  }

  /** After a successful write of the item `id`: drops it, and every cached page with it. */
  async invalidate(id: string): Promise<void> {
    await this.attempt("invalidate", async () => {
      await Promise.all([this.redis.del(this.itemKey(id)), this.redis.incr(this.generationKey())]);
      return "ok";
    });
  }

  private itemKey(id: string): string {
    return `${this.options.prefix}item:${id.toLowerCase()}`;
  }

  private generationKey(): string {
    return `${this.options.prefix}generation`;
  }

  private async lookup<T>(keyOf: () => Promise<string>): Promise<Lookup<T>> {
    let found: Lookup<T> = { hit: false };
    await this.attempt("get", async () => {
      const key = await keyOf();
      const cached = await this.redis.get(key);
      found = cached === null ? { hit: false, key } : { hit: true, value: JSON.parse(cached) as T };
      return found.hit ? "hit" : "miss";
    });
    return found;
  }

  /** Runs one operation: timed, counted by its result, and when Redis fails, logged and dropped. */
  private async attempt(operation: Operation, work: () => Promise<Result>): Promise<void> {
    const stop = this.metrics.cacheOperationDuration.startTimer({ operation });
    try {
      const result = await withinTimeout(work(), OPERATION_TIMEOUT_MS);
      this.metrics.cacheOperations.inc({ operation, result });
    } catch (error) {
      this.metrics.cacheOperations.inc({ operation, result: "error" });
      this.logger.warn("cache unavailable", { operation, error: (error as Error).message });
    } finally {
      stop();
    }
  }
}

/** `work`, or a rejection once `ms` have passed: the command is left behind, not cancelled. */
export async function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer from Redis within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
