import type { Request, RequestHandler } from "express";

import { tooManyRequests } from "../utils/errors";
import type { RateCounter } from "../utils/rate-counter";

export interface RateLimitSettings {
  /** RATE_LIMIT_REQUESTS: a client's budget per window; 0 counts nothing. */
  requests: number;
  /** RATE_LIMIT_WINDOW, whole seconds in milliseconds. */
  windowMs: number;
}

/** The client a request is counted against: its token's subject, else its address. */
export function clientOf(req: Request): string {
  if (req.principal !== undefined) return `sub:${req.principal.subject}`;
  // req.ip is the peer's address, or X-Forwarded-For's as TRUSTED_PROXIES allows (src/app.ts).
  return `ip:${req.ip ?? req.socket.remoteAddress ?? "unknown"}`;
}

/**
 * Counts the request against its client's budget (after identifyCaller, before any refusal) and
 * answers the count in the RateLimit-Policy and RateLimit headers of
 * draft-ietf-httpapi-ratelimit-headers-10, whatever the outcome; over the budget, 429 with
 * Retry-After.
 */
export function rateLimit(counter: RateCounter, settings: RateLimitSettings): RequestHandler {
  const windowSeconds = settings.windowMs / 1_000;
  const policy = `"default";q=${settings.requests};w=${windowSeconds}`;
  if (settings.requests === 0) {
    return (_req, _res, next) => {
      next();
    };
  }
  return async (req, res, next) => {
    const { count, remainingMs } = await counter.count(clientOf(req));
    const remaining = Math.max(0, settings.requests - count);
    const resetSeconds = Math.max(1, Math.ceil(remainingMs / 1_000));
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", `"default";r=${remaining};t=${resetSeconds}`);
    if (count > settings.requests) {
      next(tooManyRequests(settings.requests, windowSeconds, resetSeconds));
      return;
    }
    next();
  };
}
