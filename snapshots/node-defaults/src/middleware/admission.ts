import type { RequestHandler } from "express";

import { tookTooLong, tooManyInProgress } from "../utils/errors";
import { sendError } from "./errors";

export interface AdmissionSettings {
  /** MAX_CONCURRENT_REQUESTS: the /api/v1 requests in progress at once. */
  maxInProgress: number;
  /** REQUEST_TIMEOUT: how long an admitted request may take, in milliseconds. */
  timeoutMs: number;
}

/**
 * The first check of every /api/v1 route once its path and method match. Past `maxInProgress`
 * requests in progress, one more is answered 503 at once (load shedding: before it costs a rate
 * limit count, a token check or a database connection), with Retry-After: 1. An admitted request
 * not answered within `timeoutMs` is answered 503 then; what its handler does later is not sent
 * (errorHandler drops it), and PostgreSQL's statement_timeout (src/config/database.ts) ends its
 * statement, since Prisma cannot cancel one. A request is in progress from its admission until
 * its answer is sent or its connection closes.
 */
export function admitRequests(settings: AdmissionSettings): RequestHandler {
  const late = tookTooLong(settings.timeoutMs);
  let inProgress = 0;
  return (req, res, next) => {
    if (inProgress >= settings.maxInProgress) {
      next(tooManyInProgress());
      return;
    }
    inProgress += 1;
    res.locals.deadline = { at: Date.now() + settings.timeoutMs, answer: late };
    const deadline = setTimeout(() => {
      if (res.headersSent) return; // answering already
      res.locals.answeredAtDeadline = true;
      sendError(req, res, late);
    }, settings.timeoutMs);
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      inProgress -= 1;
      clearTimeout(deadline);
    };
    res.once("finish", release);
    res.once("close", release);
    next();
  };
}
