import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";

import { createApp } from "./app";
import { createDatabase } from "./config/database";
import { ConfigError, loadConfig } from "./config/env";
import { createLogger } from "./utils/logger";
import { Metrics } from "./utils/metrics";

/** Process entry point: configuration, database, HTTP server, and a graceful stop on SIGTERM. */
function main(): void {
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
  const database = createDatabase(config);
  const metrics = new Metrics();
  metrics.trackConnections(database.pool);
  const app = createApp({ config, prisma: database.prisma, logger, metrics });

  const server = app.listen(config.PORT, () => {
    const { port } = server.address() as AddressInfo;
    logger.info("service started", { port });
  });

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
    server.close(() => {
      void database.close().finally(() => {
        logger.info("shutdown complete");
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
