import type { ErrorRequestHandler, RequestHandler } from "express";

import { HttpError, notFound } from "../utils/errors";
import type { Logger } from "../utils/logger";

/** The one error shape of every response (Visiobook guidelines 3): see README "API". */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    correlation_id: string;
    timestamp: string;
    details?: unknown;
  };
}

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(notFound(`no route for ${req.method} ${req.path}`));
};

/** Turns any error into the envelope; unexpected ones are logged and hidden behind a 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = asHttpError(error);
    if (known === undefined) {
      logger.error("unhandled error", { error, method: req.method, path: req.path });
    }
    const failure = known ?? new HttpError(500, "INTERNAL_ERROR", "Internal server error");
    const body: ErrorBody = {
      error: {
        code: failure.code,
        message: failure.message,
        correlation_id: req.correlationId,
        timestamp: new Date().toISOString(),
        ...(failure.details === undefined ? {} : { details: failure.details }),
      },
    };
    res.status(failure.status).json(body);
  };
}

/** HttpErrors as they are; body-parser's client errors (bad JSON, too large) by their status. */
function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof Error && "status" in error && "expose" in error && error.expose === true) {
    const status = Number(error.status);
    if (status >= 400 && status < 500) {
      return new HttpError(status, status === 400 ? "BAD_REQUEST" : "CLIENT_ERROR", error.message);
    }
  }
  return undefined;
}
