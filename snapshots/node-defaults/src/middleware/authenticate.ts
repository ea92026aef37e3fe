import type { RequestHandler } from "express";

import { unauthorized } from "../utils/errors";
import { accessTokenKey, verifyAccessToken } from "../utils/tokens";

// The scheme name is case-insensitive (RFC 9110); what follows it is the token.
const BEARER = /^Bearer(?: +(.*))?$/i;

/**
 * Reads `Authorization: Bearer <JWT>` (see verifyAccessToken) and refuses nothing yet: a valid
 * token sets the principal, with the roles of its `rolesClaim` (JWT_ROLES_CLAIM); a missing or
 * bad one leaves its 401 for requireAuthentication. The rate limit runs in between, so it counts
 * a caller by the token's subject when there is one, and refuses a caller over its budget even
 * when its token is bad.
 */
export function identifyCaller(secret: string, rolesClaim: string): RequestHandler {
  const key = accessTokenKey(secret);
  return (req, _res, next) => {
    const token = BEARER.exec(req.get("authorization") ?? "")?.[1]?.trim();
    if (!token) {
      req.unauthenticated = unauthorized("missing bearer token", "Bearer");
      next();
      return;
    }
    const principal = verifyAccessToken(token, key, rolesClaim);
    if (principal === undefined) {
      // Every bad token gets the same answer: it does not say which check failed.
      req.unauthenticated = unauthorized("invalid bearer token", 'Bearer error="invalid_token"');
      next();
      return;
    }
    req.principal = principal;
    next();
  };
}

/** 401 for a request identifyCaller found no valid token on; on with the principal otherwise. */
export const requireAuthentication: RequestHandler = (req, _res, next) => {
  if (req.principal !== undefined) {
    next();
    return;
  }
  // identifyCaller did not run before it: refused all the same, never let on.
  next(req.unauthenticated ?? unauthorized("missing bearer token", "Bearer"));
};
