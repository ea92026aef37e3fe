import { createHash } from "node:crypto";

import type { RedisClient } from "../config/redis";
import { OPERATION_TIMEOUT_MS, withinTimeout } from "./cache";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { RateCounter, WindowCount } from "./rate-counter";

// Counts and starts the window in one atomic round trip: the first request of a window (or a key
// that lost its expiry) sets it to end RATE_LIMIT_WINDOW later. Answers {count, milliseconds left}.
const COUNT_SCRIPT = `local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;
const COUNT_SCRIPT_SHA = createHash("sha1").update(COUNT_SCRIPT).digest("hex");

export interface RedisRateCounterOptions {
  /** Starts every key: `<SERVICE_NAME>:ratelimit:`, the client follows. */
  prefix: string;
  windowMs: number;
}

/**
 * The counts in Redis, so every replica shares one budget per client. Redis is never needed to
 * answer: when it fails or is slower than the cache's operations may be, the request is counted
 * by `fallback` (this process's memory) instead, and the failure is counted and logged as the
 * cache's own are (cache_operations_total{operation="rate_limit"}).
 */
export class RedisRateCounter implements RateCounter {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisRateCounterOptions,
    private readonly fallback: RateCounter,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  async count(client: string): Promise<WindowCount> {
    const operation = "rate_limit";
    const stop = this.metrics.cacheOperationDuration.startTimer({ operation });
    try {
      const counted = await withinTimeout(this.countInRedis(client), OPERATION_TIMEOUT_MS);
      this.metrics.cacheOperations.inc({ operation, result: "ok" });
      return counted;
    } catch (error) {
      this.metrics.cacheOperations.inc({ operation, result: "error" });
      this.logger.warn("cache unavailable", { operation, error: (error as Error).message });
      return await this.fallback.count(client);
    } finally {
      stop();
    }
  }

  private async countInRedis(client: string): Promise<WindowCount> {
    const options = {
      keys: [`${this.options.prefix}${client}`],
      arguments: [String(this.options.windowMs)],
    };
    let reply;
    try {
      reply = await this.redis.evalSha(COUNT_SCRIPT_SHA, options);
    } catch (error) {
      // Not loaded yet (a new or flushed Redis): EVAL sends it, and loads it for the next time.
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      reply = await this.redis.eval(COUNT_SCRIPT, options);
    }
    const [count, remainingMs] = reply as [number, number];
    return { count, remainingMs };
  }
}
