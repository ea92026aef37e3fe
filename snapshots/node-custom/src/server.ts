import { existsSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import { createApp } from "./app";
import { createDatabase } from "./config/database";
import { ConfigError, loadConfig } from "./config/env";
import { createRedisClient } from "./config/redis";
import { createMetricsApp } from "./metrics-app";
import { close, listen } from "./utils/listen";
import { createLogger } from "./utils/logger";
import { Metrics } from "./utils/metrics";

/**
 * Process entry point: configuration, database, the API on PORT and /metrics on PROMETHEUS_PORT,
 * and a graceful stop on SIGTERM. The process exits when it cannot listen on either port.
 */
async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const logger = createLogger({
    service: config.SERVICE_NAME,
    version: config.SERVICE_VERSION,
    environment: config.NODE_ENV,
    level: config.LOG_LEVEL,
  });
  const metrics = new Metrics();
  const database = createDatabase(config, metrics);
  const redis = createRedisClient(config.REDIS_URL, logger);
  // In the background: the service starts and answers from the database while Redis is down,
  // and the client keeps reconnecting until it is back.
  redis.connect().catch((error: unknown) => {
    logger.warn("cache unavailable", { operation: "connect", error: (error as Error).message });
  });
  const app = createApp({ config, prisma: database.prisma, logger, metrics, redis });

  let servers: Server[];
  try {
    servers = [
      await listen(app, config.PORT, "PORT"),
      await listen(createMetricsApp(metrics, logger), config.PROMETHEUS_PORT, "PROMETHEUS_PORT"),
    ];
  } catch (error) {
    logger.error("service could not start", { error: (error as Error).message });
    process.exit(1);
  }
  const [port, metricsPort] = servers.map((server) => (server.address() as AddressInfo).port);
  logger.info("service started", { port, metricsPort });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down: draining in-flight requests", { signal });
    // Past the deadline, leave anyway: Kubernetes sends SIGKILL after its grace period.
    setTimeout(() => {
      logger.error("shutdown deadline passed; exiting with requests still open");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT).unref();
    void Promise.all(servers.map(close))
      .then(() => database.close())
      .then(() => {
        redis.destroy();
      })
      .finally(() => {
        logger.info("shutdown complete");
        process.exit(0);
      });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
