import { createSecretKey, type KeyObject } from "node:crypto";

import jwt from "jsonwebtoken";

import type { SigningKeys } from "./signing-keys";

/** Who made an authenticated request: the `sub` of its bearer token, and the roles it grants. */
export interface Principal {
  subject: string;
  /** The names in the token's roles claim (JWT_ROLES_CLAIM), compared exactly: case matters. */
  roles: ReadonlySet<string>;
}

export interface TokenSettings {
  secret: string;
  /** JWT_EXPIRES_IN, in milliseconds. */
  lifetimeMs: number;
  /** JWT_ROLES_CLAIM: the claim that holds the caller's roles. */
  rolesClaim: string;
}

/**
 * Signs an HS256 access token, e.g. for tests and service-to-service calls. `roles` go in as a
 * JSON array under the roles claim; without them the token has no such claim, so it may only read.
 */
export function createAccessToken(
  subject: string,
  settings: TokenSettings,
  roles?: readonly string[],
): string {
  const claims = roles === undefined ? {} : { [settings.rolesClaim]: [...roles] };
  return jwt.sign(claims, settings.secret, {
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
 * (accessTokenKey), and the claims principalOf reads. Undefined for anything else.
 */
export function verifyAccessToken(
  token: string,
  key: KeyObject,
  rolesClaim: string,
): Principal | undefined {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, { algorithms: ["HS256"], clockTolerance: 0 });
  } catch {
    return undefined;
  }
  return principalOf(payload, rolesClaim);
}

/** An identity provider whose tokens the service accepts (JWT_JWKS_URL, docs/contract.md). */
export interface IdentityProvider {
  keys: SigningKeys;
  /** JWT_ISSUER: the token's `iss`, exactly. */
  issuer: string;
  /** JWT_AUDIENCE: the token's `aud`, or one of its entries. */
  audience: string;
}

/** No key to check a provider's token with: the provider's set could not be fetched (503). */
export const SIGNING_KEYS_UNAVAILABLE = "signing keys unavailable";

/**
 * The principal of a valid token, whichever signed it; its header's `alg` decides before any key
 * is used. HS256: verifyAccessToken, with JWT_SECRET's key. RS256 or ES256 (only with a
 * `provider`): the provider's key its `kid` names, which must suit that algorithm, and `iss` and
 * `aud` of the provider's configuration besides the claims principalOf reads. Undefined for any
 * other token (no `kid`, another algorithm, a provider's token without a provider...), and
 * SIGNING_KEYS_UNAVAILABLE when its `kid` is not held because the set could not be fetched.
 */
export async function verifyAnyAccessToken(
  token: string,
  settings: { key: KeyObject; rolesClaim: string; provider: IdentityProvider | undefined },
): Promise<Principal | undefined | typeof SIGNING_KEYS_UNAVAILABLE> {
  const header = headerOf(token);
  if (header === undefined) return undefined; // not a JWT
  if (header.alg === "HS256") return verifyAccessToken(token, settings.key, settings.rolesClaim);
  const { provider } = settings;
  if (provider === undefined || (header.alg !== "RS256" && header.alg !== "ES256")) {
    return undefined;
  }
  if (typeof header.kid !== "string" || header.kid === "") return undefined;
  const found = await provider.keys.find(header.kid);
  if (found === "unavailable") return SIGNING_KEYS_UNAVAILABLE;
  if (found === "unknown") return undefined;
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, found.key, {
      // The key's algorithm only: an ES256 token naming an RSA key is refused.
      algorithms: [found.algorithm],
      issuer: provider.issuer,
      audience: provider.audience,
      clockTolerance: 0,
    });
  } catch {
    return undefined;
  }
  return principalOf(payload, settings.rolesClaim);
}

/**
 * A JWT's header, undefined for a malformed token: jsonwebtoken's decode returns null for most,
 * but throws for some (a payload that is not JSON under `typ: JWT`).
 */
function headerOf(token: string): jwt.JwtHeader | undefined {
  try {
    return jwt.decode(token, { complete: true })?.header;
  } catch {
    return undefined;
  }
}

/**
 * The principal of a verified token's claims: an `exp` (jsonwebtoken checked it is in the future,
 * and `nbf`, when present, not in it, with no clock leeway), a non-empty string `sub`, and roles
 * the service can read in its `rolesClaim` (see rolesOf). Undefined for anything else.
 */
function principalOf(payload: string | jwt.JwtPayload, rolesClaim: string): Principal | undefined {
  // jsonwebtoken checks exp only when the token has one: a token without it never expires.
  if (typeof payload === "string" || typeof payload.exp !== "number") return undefined;
  if (typeof payload.sub !== "string" || payload.sub === "") return undefined;
  // Own properties only: a claim named `constructor` or `__proto__` that the token lacks must
  // read as absent, not as what every object inherits.
  const roles = rolesOf(Object.hasOwn(payload, rolesClaim) ? payload[rolesClaim] : undefined);
  if (roles === undefined) return undefined;
  return { subject: payload.sub, roles };
}

/**
 * The roles a roles claim grants: none when it is absent; the names of a JSON array of strings;
 * the names of one string separated by spaces (OAuth's `scope`). Undefined for any other value
 * (a number, a boolean, null, an object, an array holding anything but strings): the service
 * cannot tell what such a token grants, so it is refused as invalid rather than read as no role.
 */
function rolesOf(claim: unknown): Set<string> | undefined {
  if (claim === undefined) return new Set();
  if (typeof claim === "string") return new Set(claim.split(" ").filter((name) => name !== ""));
  if (Array.isArray(claim) && claim.every((name) => typeof name === "string")) {
    return new Set(claim);
  }
  return undefined;
}
