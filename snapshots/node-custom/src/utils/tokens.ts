import { createSecretKey, type KeyObject } from "node:crypto";

import jwt from "jsonwebtoken";

/** Who made an authenticated request: the `sub` of its bearer token. */
export interface Principal {
  subject: string;
}

export interface TokenSettings {
  secret: string;
  /** JWT_EXPIRES_IN, in milliseconds. */
  lifetimeMs: number;
}

/** Signs an HS256 access token, e.g. for tests and service-to-service calls. */
export function createAccessToken(subject: string, settings: TokenSettings): string {
  return jwt.sign({}, settings.secret, {
    algorithm: "HS256",
    subject,
    expiresIn: Math.floor(settings.lifetimeMs / 1000),
  });
}

/**
 * The HMAC key of JWT_SECRET, built once at start-up. Given the secret as a string, jsonwebtoken
 * would first try to read it as a PEM public key on every request, then fall back to HMAC: that
 * failed attempt cost more than the verification itself.
 */
export function accessTokenKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, "utf8"));
}

/**
 * The principal of a valid token: HS256 only (so never `alg: none`), signed with `key`
 * (accessTokenKey), an `exp` in the future, `nbf` (when present) not in the future, no clock
 * leeway, and a non-empty string `sub`. Undefined for anything else.
 */
export function verifyAccessToken(token: string, key: KeyObject): Principal | undefined {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, { algorithms: ["HS256"], clockTolerance: 0 });
  } catch {
    return undefined;
  }
  // jsonwebtoken checks exp only when the token has one: a token without it never expires.
  if (typeof payload === "string" || typeof payload.exp !== "number") return undefined;
  if (typeof payload.sub !== "string" || payload.sub === "") return undefined;
  return { subject: payload.sub };
}
