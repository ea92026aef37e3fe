import { createClient } from "@redis/client";

import type { Logger } from "../utils/logger";

// A connection attempt gives up after this long, as the cache's operations do (src/utils/cache.ts).
const CONNECT_TIMEOUT_MS = 500;
// Reconnection attempts back off from 100 ms to this, and go on for as long as Redis is down.
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * The Redis client of the cache, not yet connected (`connect()` it in the background). While
 * Redis is unreachable, commands fail at once (no offline queue) and the client reconnects on its
 * own, so no request ever waits for Redis to come back.
 */
export function createRedisClient(url: string, logger: Logger) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  // The client reports every failed reconnection: log an outage once, and its end.
  let reachable = true;
  client.on("error", (error: Error) => {
    if (!reachable) return;
    reachable = false;
    logger.warn("cache unavailable", { operation: "connect", error: error.message });
  });
  client.on("ready", () => {
    if (reachable) return;
    reachable = true;
    logger.info("cache available again");
  });
  return client;
}

export type RedisClient = ReturnType<typeof createRedisClient>;
