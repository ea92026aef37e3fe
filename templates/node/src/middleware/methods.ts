import type { RequestHandler } from "express";

import { methodNotAllowed } from "../utils/errors";

/**
 * Put first on a route: a method the route does not list is 405 with an Allow header (RFC 9110),
 * before authentication. List HEAD with GET: Express answers HEAD with the GET handler.
 */
export function allowMethods(...allowed: string[]): RequestHandler {
  return (req, _res, next) => {
    next(allowed.includes(req.method) ? undefined : methodNotAllowed(req.method, allowed));
  };
}
