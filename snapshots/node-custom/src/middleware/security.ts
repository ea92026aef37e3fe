import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * The OWASP REST cheat sheet's baseline on every response, and nothing else: Helmet's other
 * headers are for HTML sites, and HSTS is left to the ingress, which terminates TLS.
 */
export function securityHeaders(): RequestHandler[] {
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  };
  const baseline = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: helmet.contentSecurityPolicy.dangerouslyDisableDefaultSrc,
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: false,
    xContentTypeOptions: true,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: "deny" },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  return [noStore, baseline];
}

const CORS_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

/**
 * CORS for the origins of CORS_ORIGINS, exactly as written there. Any other origin gets no CORS
 * header, and its preflight goes on as an ordinary OPTIONS request (405). An allowed origin's
 * preflight is answered by the route it targets (allowMethods), so a preflight to an unknown path
 * is still a 404. No credentials: the API takes bearer tokens, not cookies.
 */
export function cors(origins: readonly string[], correlationHeader: string): RequestHandler {
  const allowed = new Set(origins);
  const preflightHeaders: PreflightHeaders = {
    "Access-Control-Allow-Methods": CORS_METHODS,
    "Access-Control-Allow-Headers": `Authorization, Content-Type, ${correlationHeader}`,
    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_SECONDS,
  };
  // What a browser app may read of an answer: its correlation id, and its rate limit.
  const exposed = `${correlationHeader}, RateLimit, RateLimit-Policy, Retry-After`;
  return (req, res, next) => {
    const origin = req.get("origin");
    if (origin === undefined || !allowed.has(origin)) {
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Expose-Headers", exposed);
    res.vary("Origin");
    if (req.method === "OPTIONS" && req.get("access-control-request-method") !== undefined) {
      res.locals.preflight = preflightHeaders;
    }
    next();
  };
}

/** What an allowed origin's preflight is answered with. */
export type PreflightHeaders = Record<string, string>;
