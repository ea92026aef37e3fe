import { ConfigError, corsOrigins, loadConfig, urlVariable } from "../../src/config/env";

const REQUIRED = {
  DATABASE_URL: "postgresql://user:password@localhost:5432/app",
  JWT_SECRET: "x".repeat(32),
};

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    expect(loadConfig(REQUIRED)).toMatchObject({
      PORT: 8080,
      PROMETHEUS_PORT: 9090,
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      CORRELATION_ID_HEADER: "x-correlation-id",
      CORS_ORIGINS: "",
      REQUEST_BODY_MAX_BYTES: 1_048_576,
      DB_POOL_SIZE: 10,
      DB_CONNECT_TIMEOUT: 5_000,
      SHUTDOWN_TIMEOUT: 10_000,
      JWT_EXPIRES_IN: 86_400_000,
      JWT_ROLES_CLAIM: "roles",
      REQUEST_TIMEOUT: 5_000,
      MAX_CONCURRENT_REQUESTS: 100,
      RATE_LIMIT_REQUESTS: 6000,
      RATE_LIMIT_WINDOW: 60_000,
      externalServices: [],
      trustedProxies: [],
      identityProvider: undefined,
    });
  });

  it("reads REQUEST_TIMEOUT as a duration and MAX_CONCURRENT_REQUESTS as at least 1", () => {
    const config = loadConfig({
      ...REQUIRED,
      REQUEST_TIMEOUT: "500ms",
      MAX_CONCURRENT_REQUESTS: "1",
    });
    expect(config).toMatchObject({ REQUEST_TIMEOUT: 500, MAX_CONCURRENT_REQUESTS: 1 });
    for (const bad of ["0", "5 s", "-1s"]) {
      expect(() => loadConfig({ ...REQUIRED, REQUEST_TIMEOUT: bad })).toThrow(/REQUEST_TIMEOUT/);
    }
    for (const bad of ["0", "-1", "1.5", "many"]) {
      expect(() => loadConfig({ ...REQUIRED, MAX_CONCURRENT_REQUESTS: bad })).toThrow(
        /MAX_CONCURRENT_REQUESTS/,
      );
    }
  });

  it("takes a rate limit of 0, which turns counting off, and no negative one", () => {
    expect(loadConfig({ ...REQUIRED, RATE_LIMIT_REQUESTS: "0" }).RATE_LIMIT_REQUESTS).toBe(0);
    for (const bad of ["-1", "1.5", "many"]) {
      expect(() => loadConfig({ ...REQUIRED, RATE_LIMIT_REQUESTS: bad })).toThrow(
        /RATE_LIMIT_REQUESTS/,
      );
    }
  });

  it("takes a rate limit window of whole seconds only, in the durations' format", () => {
    expect(loadConfig({ ...REQUIRED, RATE_LIMIT_WINDOW: "30s" }).RATE_LIMIT_WINDOW).toBe(30_000);
    expect(loadConfig({ ...REQUIRED, RATE_LIMIT_WINDOW: "2000ms" }).RATE_LIMIT_WINDOW).toBe(2_000);
    const load = () => loadConfig({ ...REQUIRED, RATE_LIMIT_WINDOW: "1500ms" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /^invalid configuration: RATE_LIMIT_WINDOW must be a whole number of seconds$/,
    );
    expect(() => loadConfig({ ...REQUIRED, RATE_LIMIT_WINDOW: "0s" })).toThrow(/RATE_LIMIT_WINDOW/);
  });

  it("reads TRUSTED_PROXIES' addresses and CIDR ranges, IPv4 or IPv6", () => {
    const config = loadConfig({
      ...REQUIRED,
      TRUSTED_PROXIES: " 10.0.0.0/8, 203.0.113.7,,2001:db8::/32 , ::1",
    });
    expect(config.trustedProxies).toEqual(["10.0.0.0/8", "203.0.113.7", "2001:db8::/32", "::1"]);
  });

  it.each([
    "x",
    "loopback",
    "10.0.0.0/33",
    "2001:db8::/129",
    "10.0.0.1/8/8",
    "10.0.0.0/",
    "10.0.0",
  ])("refuses '%s' in TRUSTED_PROXIES, naming it", (entry) => {
    const load = () => loadConfig({ ...REQUIRED, TRUSTED_PROXIES: `127.0.0.1,${entry}` });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      `invalid configuration: TRUSTED_PROXIES has '${entry}', not an IP address or CIDR range`,
    );
  });

  it("takes the four log levels in any case, and nothing else", () => {
    expect(loadConfig({ ...REQUIRED, LOG_LEVEL: "WARN" }).LOG_LEVEL).toBe("warn");
    expect(() => loadConfig({ ...REQUIRED, LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL/);
  });

  it.each([
    [{ DB_POOL_SIZE: "0" }, "DB_POOL_SIZE must be at least 1"],
    [{ DB_POOL_SIZE: "1.5" }, "DB_POOL_SIZE must be a whole number"],
    [{ RATE_LIMIT_REQUESTS: "many" }, "RATE_LIMIT_REQUESTS must be a whole number"],
    [{ RATE_LIMIT_REQUESTS: "-1" }, "RATE_LIMIT_REQUESTS must be at least 0"],
    [{ PORT: "70000" }, "PORT must be at most 65535"],
    [
      { REQUEST_TIMEOUT: "1.5s" },
      "REQUEST_TIMEOUT must be a duration such as 500ms, 5s, 24h or 7d",
    ],
    [{ REQUEST_TIMEOUT: "0" }, "REQUEST_TIMEOUT must be more than 0"],
    [{ NODE_ENV: "prod" }, "NODE_ENV must be one of: development test staging production"],
    [{ JWT_ROLES_CLAIM: "" }, "JWT_ROLES_CLAIM must not be empty"],
    [{ DATABASE_URL: undefined }, "DATABASE_URL is required"],
  ])("says %j in the words of every backend", (values, message) => {
    expect(() => loadConfig({ ...REQUIRED, ...values })).toThrow(
      `invalid configuration: ${message}`,
    );
  });

  it("names every invalid variable in one error", () => {
    const load = () => loadConfig({ DATABASE_URL: "mysql://db", JWT_SECRET: "short", PORT: "x" });
    expect(load).toThrow(ConfigError);
    for (const name of ["DATABASE_URL", "JWT_SECRET", "PORT"]) expect(load).toThrow(name);
  });

  it("serves metrics on PROMETHEUS_PORT, a port of its own", () => {
    expect(loadConfig({ ...REQUIRED, PORT: "3000", PROMETHEUS_PORT: "9100" })).toMatchObject({
      PORT: 3000,
      PROMETHEUS_PORT: 9100,
    });
    for (const bad of ["0", "65536", "http", "1.5"]) {
      expect(() => loadConfig({ ...REQUIRED, PROMETHEUS_PORT: bad })).toThrow(/PROMETHEUS_PORT/);
    }
  });

  it("refuses PROMETHEUS_PORT equal to PORT, given or by default", () => {
    for (const ports of [{ PORT: "9090" }, { PORT: "3000", PROMETHEUS_PORT: "3000" }]) {
      const load = () => loadConfig({ ...REQUIRED, ...ports });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow("invalid configuration: PROMETHEUS_PORT must differ from PORT");
    }
  });

  it("names the equal ports beside the other invalid variables", () => {
    const load = () => loadConfig({ ...REQUIRED, JWT_SECRET: "short", PROMETHEUS_PORT: "8080" });
    expect(load).toThrow(
      "invalid configuration: JWT_SECRET must be at least 32 characters; " +
        "PROMETHEUS_PORT must differ from PORT",
    );
  });

  it("splits CORS origins and drops blanks", () => {
    const config = loadConfig({
      ...REQUIRED,
      CORS_ORIGINS: " https://a.example, ,https://b.example",
    });
    expect(corsOrigins(config)).toEqual(["https://a.example", "https://b.example"]);
  });
});

describe("external services", () => {
  const STORAGE = { STORAGE_SERVICE_URL: "http://storage-service:8089" };

  it("names each one's URL variable after it", () => {
    expect(urlVariable("storage-service")).toBe("STORAGE_SERVICE_URL");
    expect(urlVariable("billing2")).toBe("BILLING2_URL");
  });

  it("reads each listed name once, spaces and empty entries ignored, with its URL", () => {
    const config = loadConfig({
      ...REQUIRED,
      ...STORAGE,
      EXTERNAL_SERVICES: " storage-service, billing,,billing,",
      REQUIRED_EXTERNAL_SERVICES: "billing , billing",
      BILLING_URL: "https://billing.example.com/api//",
    });
    expect(config.externalServices).toEqual([
      { name: "storage-service", url: "http://storage-service:8089", required: false },
      { name: "billing", url: "https://billing.example.com/api", required: true },
    ]);
  });

  it.each([
    [
      "a name that is not one",
      { EXTERNAL_SERVICES: "Storage!" },
      "EXTERNAL_SERVICES has 'Storage!', not a service name (lower-case letters, digits and hyphens)",
    ],
    [
      "its URL variable unset",
      { EXTERNAL_SERVICES: "billing" },
      "EXTERNAL_SERVICES names 'billing', so BILLING_URL must be set",
    ],
    [
      "its URL variable empty",
      { EXTERNAL_SERVICES: "storage-service", STORAGE_SERVICE_URL: "" },
      "EXTERNAL_SERVICES names 'storage-service', so STORAGE_SERVICE_URL must be set",
    ],
    [
      "a URL that is not absolute http(s)",
      { EXTERNAL_SERVICES: "storage-service", STORAGE_SERVICE_URL: "storage-service:8089" },
      "STORAGE_SERVICE_URL must be an http or https URL",
    ],
    [
      "a URL of another scheme",
      { EXTERNAL_SERVICES: "storage-service", STORAGE_SERVICE_URL: "ftp://storage-service" },
      "STORAGE_SERVICE_URL must be an http or https URL",
    ],
    [
      "a required name not listed",
      { EXTERNAL_SERVICES: "", REQUIRED_EXTERNAL_SERVICES: "billing" },
      "REQUIRED_EXTERNAL_SERVICES names 'billing', which EXTERNAL_SERVICES does not list",
    ],
  ])("refuses %s with the contract's line", (_mistake, env, message) => {
    const load = () => loadConfig({ ...REQUIRED, ...env });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`invalid configuration: ${message}`);
  });

  it("names a bad service beside the other invalid variables", () => {
    const load = () =>
      loadConfig({ ...REQUIRED, JWT_SECRET: "short", EXTERNAL_SERVICES: "-storage" });
    expect(load).toThrow(
      "invalid configuration: JWT_SECRET must be at least 32 characters; " +
        "EXTERNAL_SERVICES has '-storage', not a service name",
    );
  });
});

describe("an identity provider (JWT_JWKS_URL)", () => {
  const PROVIDER = {
    JWT_JWKS_URL: "https://idp.example.test/realms/visiobook/protocol/openid-connect/certs",
    JWT_ISSUER: "https://idp.example.test/realms/visiobook",
    JWT_AUDIENCE: "media-service",
  };

  it("reads the key set's URL with the issuer and the audience its tokens must name", () => {
    expect(loadConfig({ ...REQUIRED, ...PROVIDER }).identityProvider).toEqual({
      jwksUrl: PROVIDER.JWT_JWKS_URL,
      issuer: PROVIDER.JWT_ISSUER,
      audience: PROVIDER.JWT_AUDIENCE,
    });
  });

  it("is off without JWT_JWKS_URL, the issuer and the audience then not read", () => {
    expect(loadConfig({ ...REQUIRED, JWT_JWKS_URL: "" }).identityProvider).toBeUndefined();
    const config = loadConfig({ ...REQUIRED, JWT_ISSUER: "", JWT_AUDIENCE: "" });
    expect(config.identityProvider).toBeUndefined();
  });

  it.each([
    [
      "a URL of another scheme",
      { ...PROVIDER, JWT_JWKS_URL: "ftp://idp.example.test/certs" },
      "JWT_JWKS_URL must be an http or https URL",
    ],
    [
      "a URL that is not absolute",
      { ...PROVIDER, JWT_JWKS_URL: "idp.example.test/certs" },
      "JWT_JWKS_URL must be an http or https URL",
    ],
    [
      "no issuer",
      { ...PROVIDER, JWT_ISSUER: undefined },
      "JWT_ISSUER is required when JWT_JWKS_URL is set",
    ],
    [
      "an empty issuer",
      { ...PROVIDER, JWT_ISSUER: "" },
      "JWT_ISSUER is required when JWT_JWKS_URL is set",
    ],
    [
      "no audience",
      { ...PROVIDER, JWT_AUDIENCE: undefined },
      "JWT_AUDIENCE is required when JWT_JWKS_URL is set",
    ],
  ])("refuses %s with the contract's line", (_mistake, env, message) => {
    const load = () => loadConfig({ ...REQUIRED, ...env });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new ConfigError(`invalid configuration: ${message}`));
  });

  it("names every mistake of the provider's settings at once", () => {
    const load = () => loadConfig({ ...REQUIRED, JWT_JWKS_URL: "https://idp.example.test/certs" });
    expect(load).toThrow(
      "invalid configuration: JWT_ISSUER is required when JWT_JWKS_URL is set; " +
        "JWT_AUDIENCE is required when JWT_JWKS_URL is set",
    );
  });
});
