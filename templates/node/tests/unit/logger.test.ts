import { Writable } from "node:stream";

import winston from "winston";

import { createLogger } from "../../src/utils/logger";
import { requestContext } from "../../src/utils/request-context";

function capture(): { logger: winston.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const logger = createLogger({
    service: "svc",
    version: "1.0.0",
    environment: "test",
    level: "info",
  });
  logger.clear();
  logger.add(
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString());
          done();
        },
      }),
    }),
  );
  return {
    logger,
    lines: () => chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>),
  };
}

describe("createLogger", () => {
  it("writes JSON lines with the service fields and the current correlation id", () => {
    const { logger, lines } = capture();
    requestContext.run({ correlationId: "corr-1" }, () => {
      logger.info("inside a request");
    });
    logger.warn("outside any request");

    const [inside, outside] = lines();
    expect(inside).toMatchObject({
      level: "info",
      message: "inside a request",
      service: "svc",
      version: "1.0.0",
      environment: "test",
      correlation_id: "corr-1",
    });
    expect(typeof inside?.timestamp).toBe("string");
    expect(outside).not.toHaveProperty("correlation_id");
  });
});
