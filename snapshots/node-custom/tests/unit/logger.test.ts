import { requestContext } from "../../src/utils/request-context";
import { captureLogs } from "../helpers";

describe("createLogger", () => {
  it("writes JSON lines with the service fields and the current correlation id", () => {
    const { logger, lines } = captureLogs();
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
      correlationId: "corr-1",
    });
    expect(inside?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(outside).toMatchObject({ level: "warn", message: "outside any request" });
    expect(outside).not.toHaveProperty("correlationId");
  });
});
