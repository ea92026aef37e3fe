import type { RequestHandler } from "express";

import { methodNotAllowed } from "../utils/errors";
import type { PreflightHeaders } from "./security";

/**
 * Put first on a route: a method the route does not list is 405 with an Allow header (RFC 9110),
 * before authentication, except the preflight of an origin CORS allows (204). List HEAD with GET:
 * Express answers HEAD with the GET handler.
 */
export function allowMethods(...allowed: string[]): RequestHandler {
  return (req, res, next) => {
    const preflight = res.locals.preflight as PreflightHeaders | undefined;
    if (preflight !== undefined) {
      res.set(preflight).status(204).end();
      return;
    }
    next(allowed.includes(req.method) ? undefined : methodNotAllowed(req.method, allowed));
  };
}
