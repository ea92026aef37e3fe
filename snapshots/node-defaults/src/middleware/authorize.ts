import type { RequestHandler } from "express";

import { forbidden } from "../utils/errors";

// Who may do what (docs/contract.md, Authorization), named here once for every resource's
// routes. Listing and reading need no role: any caller with a valid token may.

/** Creating and changing (POST, PUT, PATCH). */
export const WRITE_ROLES = ["editor", "admin"] as const;
/** Deleting. */
export const DELETE_ROLES = ["admin"] as const;

/**
 * Lets on a caller holding one of `roles` (any one; names compared exactly); anyone else gets 403
 * with `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750). Each route puts it right
 * after `requireAuthentication` and before reading the body or the id, so a refused caller learns
 * nothing about the body it sent or whether the item exists.
 */
export function requireRole(roles: readonly string[]): RequestHandler {
  const refusal = `requires the role ${roles.join(" or ")}`;
  return (req, _res, next) => {
    // No principal means authentication did not run before it: refused, never let on.
    const held = req.principal?.roles;
    if (held !== undefined && roles.some((role) => held.has(role))) {
      next();
      return;
    }
    next(forbidden(refusal));
  };
}
