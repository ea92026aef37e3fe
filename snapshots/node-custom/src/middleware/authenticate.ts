import type { RequestHandler } from "express";

import { unauthorized } from "../utils/errors";
import { accessTokenKey, verifyAccessToken } from "../utils/tokens";

// The scheme name is case-insensitive (RFC 9110); what follows it is the token.
const BEARER = /^Bearer(?: +(.*))?$/i;

/**
 * Requires `Authorization: Bearer <JWT>` (see verifyAccessToken); 401 otherwise. Every bad token
 * gets the same answer: it does not say which check failed. The principal it sets carries the
 * roles of the token's `rolesClaim` (JWT_ROLES_CLAIM), which requireRole checks next.
 */
export function authenticate(secret: string, rolesClaim: string): RequestHandler {
  const key = accessTokenKey(secret);
  return (req, _res, next) => {
    const token = BEARER.exec(req.get("authorization") ?? "")?.[1]?.trim();
    if (!token) {
      next(unauthorized("missing bearer token", "Bearer"));
      return;
    }
    const principal = verifyAccessToken(token, key, rolesClaim);
    if (principal === undefined) {
      next(unauthorized("invalid bearer token", 'Bearer error="invalid_token"'));
      return;
    }
    req.principal = principal;
    next();
  };
}
