import type { RequestHandler } from "express";

import { signingKeysUnavailable, unauthorized } from "../utils/errors";
import {
  accessTokenKey,
  SIGNING_KEYS_UNAVAILABLE,
  verifyAnyAccessToken,
  type IdentityProvider,
} from "../utils/tokens";

// The scheme name is case-insensitive (RFC 9110); what follows it is the token.
const BEARER = /^Bearer(?: +(.*))?$/i;

export interface CallerSettings {
  /** JWT_SECRET: the key of the service's own (HS256) tokens. */
  secret: string;
  /** JWT_ROLES_CLAIM. */
  rolesClaim: string;
  /** With JWT_JWKS_URL: the identity provider whose RS256 and ES256 tokens are accepted too. */
  provider?: IdentityProvider;
}

/**
 * Reads `Authorization: Bearer <JWT>` (see verifyAnyAccessToken) and refuses nothing yet: a valid
 * token sets the principal, with the roles of its `rolesClaim` (JWT_ROLES_CLAIM); a missing or
 * bad one leaves its 401 for requireAuthentication, and a provider's token whose key could not be
 * fetched its 503. The rate limit runs in between, so it counts a caller by the token's subject
 * when there is one, and refuses a caller over its budget even when its token is bad.
 */
export function identifyCaller(settings: CallerSettings): RequestHandler {
  const tokens = {
    key: accessTokenKey(settings.secret),
    rolesClaim: settings.rolesClaim,
    provider: settings.provider,
  };
  return (req, _res, next) => {
    const token = BEARER.exec(req.get("authorization") ?? "")?.[1]?.trim();
    if (!token) {
      req.unauthenticated = unauthorized("missing bearer token", "Bearer");
      next();
      return;
    }
    // A provider's token may wait for its key set to be fetched; an unexpected failure goes to
    // the error handler (a 500), as a thrown error would.
    verifyAnyAccessToken(token, tokens).then((verified) => {
      if (verified === SIGNING_KEYS_UNAVAILABLE) {
        req.unauthenticated = signingKeysUnavailable();
      } else if (verified === undefined) {
        // Every bad token gets the same answer: it does not say which check failed.
        req.unauthenticated = unauthorized("invalid bearer token", 'Bearer error="invalid_token"');
      } else {
        req.principal = verified;
      }
      next();
    }, next);
  };
}

/**
 * 401 (or 503, see identifyCaller) for a request identifyCaller found no valid token on; on with
 * the principal otherwise.
 */
export const requireAuthentication: RequestHandler = (req, _res, next) => {
  if (req.principal !== undefined) {
    next();
    return;
  }
  // identifyCaller did not run before it: refused all the same, never let on.
  next(req.unauthenticated ?? unauthorized("missing bearer token", "Bearer"));
};
