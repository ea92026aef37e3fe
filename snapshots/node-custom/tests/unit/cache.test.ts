import { withinTimeout } from "../../src/utils/cache";

describe("withinTimeout", () => {
  it("gives the answer that comes in time", async () => {
    await expect(withinTimeout(Promise.resolve("PONG"), 50)).resolves.toBe("PONG");
  });

  it("gives up on an answer that never comes", async () => {
    const started = performance.now();
    const never = new Promise<string>(() => undefined);
    await expect(withinTimeout(never, 50)).rejects.toThrow("no answer from Redis within 50 ms");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("passes a failure on as it is", async () => {
    const refused = Promise.reject(new Error("ECONNREFUSED"));
    await expect(withinTimeout(refused, 50)).rejects.toThrow("ECONNREFUSED");
  });
});
