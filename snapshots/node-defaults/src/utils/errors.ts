import { readableDuration } from "./duration";

/** A field and what is wrong with it: `body`, `body.<field>`, `query.<parameter>`, `path.id`. */
export interface Problem {
  field: string;
  message: string;
}

/** An error with an HTTP status and a stable machine-readable code, rendered by the error handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Problem[],
    /** Response headers the status calls for: Allow on a 405, WWW-Authenticate on a 401 or 403. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const invalid = (details: Problem[]): HttpError =>
  new HttpError(400, "VALIDATION_ERROR", "invalid request", details);

export const unauthorized = (message: string, challenge: string): HttpError =>
  new HttpError(401, "UNAUTHORIZED", message, undefined, { "WWW-Authenticate": challenge });

/** A valid token without any of the roles the operation allows (RFC 6750's insufficient_scope). */
export const forbidden = (message: string): HttpError =>
  new HttpError(403, "FORBIDDEN", message, undefined, {
    "WWW-Authenticate": 'Bearer error="insufficient_scope"',
  });

export const notFound = (message: string): HttpError => new HttpError(404, "NOT_FOUND", message);

export const methodNotAllowed = (method: string, allowed: readonly string[]): HttpError =>
  new HttpError(
    405,
    "METHOD_NOT_ALLOWED",
    `method ${method} not allowed (allowed: ${allowed.join(", ")})`,
    undefined,
    { Allow: allowed.join(", ") },
  );

/** A 409; `details` name the fields in conflict with the stored data, when some are. */
export const conflict = (message: string, details?: Problem[]): HttpError =>
  new HttpError(409, "CONFLICT", message, details);

export const contentTooLarge = (limit: number): HttpError =>
  new HttpError(413, "CONTENT_TOO_LARGE", `request body is larger than ${limit} bytes`);

export const unsupportedMediaType = (): HttpError =>
  new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "request body must be application/json");

/** A client over its budget (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW); retry in `retryAfter` s. */
export const tooManyRequests = (
  requests: number,
  windowSeconds: number,
  retryAfter: number,
): HttpError =>
  new HttpError(
    429,
    "TOO_MANY_REQUESTS",
    `rate limit of ${requests} requests per ${windowSeconds} s exceeded`,
    undefined,
    { "Retry-After": String(retryAfter) },
  );

/** Load shedding: MAX_CONCURRENT_REQUESTS are in progress already; worth trying again soon. */
export const tooManyInProgress = (): HttpError =>
  new HttpError(503, "SERVICE_UNAVAILABLE", "too many requests in progress", undefined, {
    "Retry-After": "1",
  });

/** An admitted request not answered within REQUEST_TIMEOUT (`timeoutMs`). */
export const tookTooLong = (timeoutMs: number): HttpError =>
  new HttpError(
    503,
    "SERVICE_UNAVAILABLE",
    `request took longer than ${readableDuration(timeoutMs)}`,
  );

/**
 * A provider's token whose key is not held while the provider's key set cannot be fetched: the
 * token may well be good, so not a 401 (clients drop a token on 401).
 */
export const signingKeysUnavailable = (): HttpError =>
  new HttpError(503, "SERVICE_UNAVAILABLE", "signing keys are unavailable");
