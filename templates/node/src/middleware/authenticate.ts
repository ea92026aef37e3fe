import type { RequestHandler } from "express";

import { unauthorized } from "../utils/errors";
import { verifyAccessToken } from "../utils/tokens";

/** Requires `Authorization: Bearer <HS256 JWT signed with JWT_SECRET>`; 401 otherwise. */
export function authenticate(secret: string): RequestHandler {
  return (req, _res, next) => {
    const [scheme, token] = (req.get("authorization") ?? "").split(" ");
    const principal =
      scheme?.toLowerCase() === "bearer" && token ? verifyAccessToken(token, secret) : undefined;
    if (principal === undefined) {
      next(unauthorized());
      return;
    }
    req.principal = principal;
    next();
  };
}
