import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";

import { HttpError, notFound, type Problem } from "../utils/errors";
import type { Logger } from "../utils/logger";

/** The one error envelope of every 4xx and 5xx answer (guidelines 8, docs/contract.md). */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    correlation_id: string;
    timestamp: string;
    details?: Problem[];
  };
}

export const unknownRoute: RequestHandler = (req, _res, next) => {
  const path = req.originalUrl.split("?")[0] ?? ""; // as sent (req.url may have been rewritten)
  next(notFound(`no route for ${req.method} ${path}`));
};

/** Turns any error into the envelope; unexpected ones are logged and hidden behind a 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      // After the deadline's 503 (middleware/admission.ts), whatever the handler still did, even
      // failing (its statement cancelled), is not sent and not an error of its own.
      if (answeredAtDeadline(res)) return;
      next(error); // too late for an envelope: Express ends the connection
      return;
    }
    const late = deadlinePassed(res);
    if (late !== undefined) {
      // The deadline passed while its timer waited behind this error (statement_timeout cancels
      // the statement at the same moment): the answer is the deadline's, not a 500.
      res.locals.answeredAtDeadline = true;
      sendError(req, res, late);
      return;
    }
    if (!(error instanceof HttpError)) {
      // An Error's own fields are not enumerable: JSON would log it as {}.
      const cause = error instanceof Error ? { message: error.message, stack: error.stack } : error;
      logger.error("unhandled error", { error: cause, method: req.method, url: req.originalUrl });
    }
    const failure =
      error instanceof HttpError
        ? error
        : new HttpError(500, "INTERNAL_ERROR", "internal server error");
    sendError(req, res, failure);
  };
}

/** Answers `failure` in the envelope, with the headers its status calls for. */
export function sendError(req: Request, res: Response, failure: HttpError): void {
  const body: ErrorBody = {
    error: {
      code: failure.code,
      message: failure.message,
      correlation_id: req.correlationId,
      timestamp: new Date().toISOString(),
      ...(failure.details === undefined ? {} : { details: failure.details }),
    },
  };
  res.status(failure.status).set(failure.headers).json(body);
}

/** The deadline's answer once an admitted request's deadline has passed (middleware/admission.ts). */
function deadlinePassed(res: Response): HttpError | undefined {
  const deadline = res.locals.deadline as { at: number; answer: HttpError } | undefined;
  return deadline !== undefined && Date.now() >= deadline.at ? deadline.answer : undefined;
}

/** Whether the request's deadline passed and its 503 was sent in the handler's stead. */
function answeredAtDeadline(res: Response): boolean {
  return res.locals.answeredAtDeadline === true;
}
