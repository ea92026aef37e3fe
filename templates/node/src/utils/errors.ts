/** An error with an HTTP status and a stable machine-readable code, rendered by the error handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, details?: unknown): HttpError =>
  new HttpError(400, "VALIDATION_ERROR", message, details);

export const unauthorized = (message = "Missing or invalid bearer token"): HttpError =>
  new HttpError(401, "UNAUTHORIZED", message);

export const notFound = (message: string): HttpError => new HttpError(404, "NOT_FOUND", message);

export const conflict = (message: string): HttpError => new HttpError(409, "CONFLICT", message);
