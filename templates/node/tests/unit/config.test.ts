import { ConfigError, corsOrigins, loadConfig } from "../../src/config/env";

const REQUIRED = {
  DATABASE_URL: "postgresql://user:password@localhost:5432/app",
  JWT_SECRET: "x".repeat(32),
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    expect(loadConfig(REQUIRED)).toMatchObject({
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      CORRELATION_ID_HEADER: "x-correlation-id",
      CORS_ORIGINS: "",
      REQUEST_BODY_MAX_BYTES: 1_048_576,
      DB_POOL_SIZE: 10,
      DB_CONNECT_TIMEOUT: 5_000,
      SHUTDOWN_TIMEOUT: 10_000,
      JWT_EXPIRES_IN: 86_400_000,
      BCRYPT_ROUNDS: 12,
    });
  });

  it("reads durations with a unit, or bare seconds, in milliseconds", () => {
    const durations = (value: string) =>
      loadConfig({ ...REQUIRED, DB_CONNECT_TIMEOUT: value }).DB_CONNECT_TIMEOUT;
    expect(durations("500ms")).toBe(500);
    expect(durations("5s")).toBe(5_000);
    expect(durations("2m")).toBe(120_000);
    expect(durations("1h")).toBe(3_600_000);
    expect(durations("7d")).toBe(604_800_000);
    expect(durations("30")).toBe(30_000);
    for (const bad of ["5 s", "1.5s", "5sec", "-1s", "", "0", "0ms"]) {
      expect(() => durations(bad)).toThrow(/DB_CONNECT_TIMEOUT/);
    }
  });

  it("takes the four log levels in any case, and nothing else", () => {
    expect(loadConfig({ ...REQUIRED, LOG_LEVEL: "WARN" }).LOG_LEVEL).toBe("warn");
    expect(() => loadConfig({ ...REQUIRED, LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL/);
  });

  it("names every invalid variable in one error", () => {
    const load = () => loadConfig({ DATABASE_URL: "mysql://db", JWT_SECRET: "short", PORT: "x" });
    expect(load).toThrow(ConfigError);
    for (const name of ["DATABASE_URL", "JWT_SECRET", "PORT"]) expect(load).toThrow(name);
  });

  it("splits CORS origins and drops blanks", () => {
    const config = loadConfig({
      ...REQUIRED,
      CORS_ORIGINS: " https://a.example, ,https://b.example",
    });
    expect(corsOrigins(config)).toEqual(["https://a.example", "https://b.example"]);
  });
});
