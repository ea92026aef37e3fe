import { isIP } from "node:net";

import { z } from "zod";

// Durations are a whole positive number with a unit (500ms, 5s, 24h, 7d); a bare number is
// seconds.
const DURATION = /^([0-9]+)(ms|s|m|h|d)?$/;
const MILLISECONDS_PER_UNIT = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const DURATION_RULE = "must be a duration such as 500ms, 5s, 24h or 7d";

function milliseconds(value: string): number {
  const [, amount, unit = "s"] = DURATION.exec(value) ?? [];
  return Number(amount) * MILLISECONDS_PER_UNIT[unit as keyof typeof MILLISECONDS_PER_UNIT];
}

/** The milliseconds in a duration written as the variables are (500ms, 5s, 24h, 7d). */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`invalid duration "${text}": ${DURATION_RULE}`);
  const value = milliseconds(text);
  if (value <= 0) throw new Error(`invalid duration "${text}": must be more than 0`);
  return value;
}

/** A duration variable, in milliseconds once loaded. */
function duration(fallback: string) {
  return z
    .string()
    .regex(DURATION, DURATION_RULE)
    .default(fallback)
    .transform(milliseconds)
    .refine((value) => value > 0, "must be more than 0");
}

/** The service's configuration (Visiobook guidelines 1.3), read once and validated at start-up. */
const EnvSchema = z.object({
  SERVICE_NAME: z.string().min(1, "must not be empty").default("asset-library"),
  SERVICE_VERSION: z.string().min(1, "must not be empty").default("0.1.0"),
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  // /metrics is served on this port alone, apart from the API (guidelines 1.3, 5.3, 6.2).
  PROMETHEUS_PORT: z.coerce.number().int().min(1).max(65535).default(9090),
  NODE_ENV: z.enum(["development", "test", "staging", "production"]).default("development"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  DB_POOL_SIZE: z.coerce.number().int().min(1).default(10),
  DB_CONNECT_TIMEOUT: duration("5s"),
  // The cache (docs/contract.md, Cache); its scheme is checked with a message of its own below.
  REDIS_URL: z.string(),
  CACHE_TTL: duration("5m"),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters"),
  JWT_EXPIRES_IN: duration("24h"),
  // The token claim holding the caller's roles, so an identity provider's own (e.g. groups) can
  // be named instead (docs/contract.md, Authorization).
  JWT_ROLES_CLAIM: z.string().min(1, "must not be empty").default("roles"),
  // An identity provider's key set, whose RS256 and ES256 tokens are accepted besides the
  // service's own; empty: none. Read with JWT_ISSUER and JWT_AUDIENCE by readIdentityProvider.
  JWT_JWKS_URL: z.string().default(""),
  LOG_LEVEL: z
    .string()
    .toLowerCase()
    .pipe(z.enum(["debug", "info", "warn", "error"]))
    .default("info"),
  CORRELATION_ID_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "must be a header name")
    .toLowerCase()
    .default("x-correlation-id"),
  CORS_ORIGINS: z.string().default(""),
  // Read with the <NAME>_URL variables they name, by readExternalServices below.
  EXTERNAL_SERVICES: z.string().default(""),
  REQUIRED_EXTERNAL_SERVICES: z.string().default(""),
  REQUEST_BODY_MAX_BYTES: z.coerce.number().int().min(1).default(1_048_576),
  // An /api/v1 request not answered within this is answered 503, and its database statement ends.
  REQUEST_TIMEOUT: duration("5s"),
  // /api/v1 requests in progress at once; one more is answered 503 at once (load shedding).
  MAX_CONCURRENT_REQUESTS: z.coerce.number().int().min(1).default(100),
  // Requests a client may send per window, then 429; 0 turns counting off, for a service behind
  // a gateway that limits already.
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(0).default(6000),
  // Whole seconds, checked below with a message of its own.
  RATE_LIMIT_WINDOW: duration("1m"),
  // The proxies whose X-Forwarded-For names the client; read by readTrustedProxies below.
  TRUSTED_PROXIES: z.string().default(""),
  SHUTDOWN_TIMEOUT: duration("10s"),
});

const PORTS = EnvSchema.pick({ PORT: true, PROMETHEUS_PORT: true });
const REDIS = EnvSchema.pick({ REDIS_URL: true });

// The RateLimit headers count in seconds: a window of 1500ms could not be told there.
const WholeSecondsWindow = EnvSchema.refine((env) => env.RATE_LIMIT_WINDOW % 1_000 === 0, {
  error: "RATE_LIMIT_WINDOW must be a whole number of seconds",
  // Checked once the duration itself is valid, so one error still names every bad variable.
  when: (payload) => !payload.issues.some((issue) => issue.path?.[0] === "RATE_LIMIT_WINDOW"),
});

const ConfigSchema = WholeSecondsWindow.refine((env) => env.PROMETHEUS_PORT !== env.PORT, {
  error: "PROMETHEUS_PORT must differ from PORT",
  // Compared whenever both ports are valid, so one error still names every bad variable.
  when: (payload) => PORTS.safeParse(payload.value).success,
}).refine((env) => isRedisUrl(env.REDIS_URL), {
  // The contract's exact words, without the "REDIS_URL: " a field's message gets.
  error: "REDIS_URL must be a redis:// or rediss:// URL",
  when: (payload) => REDIS.safeParse(payload.value).success,
});

/** Another service /health checks: a GET of `url` + "/health" (docs/contract.md, Probes). */
export interface ExternalService {
  name: string;
  /** Its <NAME>_URL, trailing slashes trimmed. */
  url: string;
  /** Named in REQUIRED_EXTERNAL_SERVICES: /health and /ready answer 503 while it is down. */
  required: boolean;
}

/** The identity provider of JWT_JWKS_URL (docs/contract.md, Tokens from an identity provider). */
export interface IdentityProviderSettings {
  /** JWT_JWKS_URL: its JSON Web Key Set (the provider's jwks_uri). */
  jwksUrl: string;
  /** JWT_ISSUER: its tokens' `iss`. */
  issuer: string;
  /** JWT_AUDIENCE: the `aud` its tokens for this service carry. */
  audience: string;
}

export type Config = z.infer<typeof ConfigSchema> & {
  externalServices: ExternalService[];
  /** Set when JWT_JWKS_URL is: whose tokens the service accepts besides its own. */
  identityProvider: IdentityProviderSettings | undefined;
  /** The addresses and CIDR ranges of TRUSTED_PROXIES, as written there. */
  trustedProxies: string[];
};

export class ConfigError extends Error {}

/** Validates `env` (process.env by default); throws one error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  const external = readExternalServices(env);
  const proxies = readTrustedProxies(env.TRUSTED_PROXIES);
  const provider = readIdentityProvider(env);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => problem(issue, env)),
    ...external.problems,
    ...proxies.problems,
    ...provider.problems,
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return {
    ...parsed.data,
    externalServices: external.services,
    trustedProxies: proxies.entries,
    identityProvider: provider.settings,
  };
}

/** An issue in the words of every backend: "DB_POOL_SIZE must be at least 1". */
function problem(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  if (issue.path.length === 0) return issue.message; // a check of several variables names them
  const name = issue.path.join(".");
  return `${name} ${words(issue, env[name] === undefined)}`;
}

function words(issue: z.core.$ZodIssue, unset: boolean): string {
  switch (issue.code) {
    case "invalid_type":
      if (unset) return "is required";
      return issue.expected === "number" || issue.expected === "int"
        ? "must be a whole number"
        : issue.message;
    case "too_small":
      return issue.origin === "number" ? `must be at least ${issue.minimum}` : issue.message;
    case "too_big":
      return issue.origin === "number" ? `must be at most ${issue.maximum}` : issue.message;
    case "invalid_value":
      return `must be one of: ${issue.values.join(" ")}`;
    default:
      return issue.message;
  }
}

// Lower-case letters and digits, in words joined by single hyphens: storage-service.
const SERVICE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The variable holding a service's base URL: storage-service is STORAGE_SERVICE_URL. */
export function urlVariable(name: string): string {
  return `${name.toUpperCase().replaceAll("-", "_")}_URL`;
}

/** The entries of a comma-separated list, spaces trimmed, empty entries and repeats dropped. */
function commaList(list: string | undefined): string[] {
  const names = (list ?? "").split(",").map((name) => name.trim());
  return [...new Set(names.filter((name) => name.length > 0))];
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text) && URL.canParse(text);
}

/**
 * The services EXTERNAL_SERVICES names, each with its <NAME>_URL and whether
 * REQUIRED_EXTERNAL_SERVICES names it; `problems` are the contract's lines for each mistake.
 * They are read here, not in the schema, because the URL variables' names come from the list.
 */
function readExternalServices(env: NodeJS.ProcessEnv): {
  services: ExternalService[];
  problems: string[];
} {
  const listed = commaList(env.EXTERNAL_SERVICES);
  const required = commaList(env.REQUIRED_EXTERNAL_SERVICES);
  const services: ExternalService[] = [];
  const problems: string[] = [];
  for (const name of listed) {
    if (!SERVICE_NAME.test(name)) {
      problems.push(
        `EXTERNAL_SERVICES has '${name}', not a service name (lower-case letters, digits and hyphens)`,
      );
      continue;
    }
    const variable = urlVariable(name);
    const url = env[variable] ?? "";
    if (url === "") {
      problems.push(`EXTERNAL_SERVICES names '${name}', so ${variable} must be set`);
    } else if (!isHttpUrl(url)) {
      problems.push(`${variable} must be an http or https URL`);
    } else {
      services.push({ name, url: url.replace(/\/+$/, ""), required: required.includes(name) });
    }
  }
  for (const name of required.filter((name) => !listed.includes(name))) {
    problems.push(
      `REQUIRED_EXTERNAL_SERVICES names '${name}', which EXTERNAL_SERVICES does not list`,
    );
  }
  return { services, problems };
}

/**
 * JWT_JWKS_URL, an absolute http(s) URL, with JWT_ISSUER and JWT_AUDIENCE, both required with it:
 * a provider signs tokens for every application it serves, so its signature alone does not say a
 * token is meant for this service. Without JWT_JWKS_URL they are not read.
 */
function readIdentityProvider(env: NodeJS.ProcessEnv): {
  settings: IdentityProviderSettings | undefined;
  problems: string[];
} {
  const jwksUrl = env.JWT_JWKS_URL ?? "";
  if (jwksUrl === "") return { settings: undefined, problems: [] };
  const issuer = env.JWT_ISSUER ?? "";
  const audience = env.JWT_AUDIENCE ?? "";
  const problems: string[] = [];
  if (!isHttpUrl(jwksUrl)) problems.push("JWT_JWKS_URL must be an http or https URL");
  if (issuer === "") problems.push("JWT_ISSUER is required when JWT_JWKS_URL is set");
  if (audience === "") problems.push("JWT_AUDIENCE is required when JWT_JWKS_URL is set");
  return { settings: { jwksUrl, issuer, audience }, problems };
}

/**
 * The entries of TRUSTED_PROXIES (comma-separated, spaces trimmed): IPv4 or IPv6 addresses and
 * CIDR ranges, the forms Express's "trust proxy" reads; anything else is a problem. Names such as
 * `loopback`, which Express would also take, are refused: the variable says addresses.
 */
function readTrustedProxies(list: string | undefined): { entries: string[]; problems: string[] } {
  const entries = commaList(list);
  const problems = entries
    .filter((entry) => !isAddressOrRange(entry))
    .map((entry) => `TRUSTED_PROXIES has '${entry}', not an IP address or CIDR range`);
  return { entries, problems };
}

/** `203.0.113.7`, `2001:db8::1`, `10.0.0.0/8` or `2001:db8::/32`. */
function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function isRedisUrl(text: string): boolean {
  return /^rediss?:\/\//i.test(text) && URL.canParse(text);
}

/** The origins of CORS_ORIGINS, exactly as written there. */
export function corsOrigins(config: Config): string[] {
  return commaList(config.CORS_ORIGINS);
}
