import { ConfigError, corsOrigins, loadConfig } from "../../src/config/env";

const REQUIRED = {
  DATABASE_URL: "postgresql://user:password@localhost:5432/app",
  JWT_SECRET: "x".repeat(32),
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(REQUIRED);
    expect(config.NODE_ENV).toBe("development");
    expect(config.CORRELATION_ID_HEADER).toBe("x-correlation-id");
    expect(config.BCRYPT_ROUNDS).toBe(12);
  });

  it("names every invalid variable in one error", () => {
    const load = () => loadConfig({ DATABASE_URL: "mysql://db", JWT_SECRET: "short", PORT: "x" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DATABASE_URL.*JWT_SECRET.*PORT|DATABASE_URL/);
    try {
      load();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["DATABASE_URL", "JWT_SECRET", "PORT"]) expect(message).toContain(name);
    }
  });

  it("splits CORS origins and drops blanks", () => {
    const config = loadConfig({
      ...REQUIRED,
      CORS_ORIGINS: " https://a.example, ,https://b.example",
    });
    expect(corsOrigins(config)).toEqual(["https://a.example", "https://b.example"]);
  });
});
