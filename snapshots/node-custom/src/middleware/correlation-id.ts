import { randomUUID } from "node:crypto";

import type { RequestHandler } from "express";

import { requestContext } from "../utils/request-context";

// Accept what clients send only if it is a sane token, so log lines cannot be forged.
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// The guidelines' fallback (5.2) when the configured header is absent.
const FALLBACK_HEADER = "x-request-id";

/** Reads or creates the request's correlation id, echoes it, and scopes the logs to it. */
export function correlationId(header: string): RequestHandler {
  return (req, res, next) => {
    const sent = req.get(header) || req.get(FALLBACK_HEADER);
    const id = sent !== undefined && VALID_ID.test(sent) ? sent : randomUUID();
    req.correlationId = id;
    res.setHeader(header, id);
    requestContext.run({ correlationId: id }, next);
  };
}
