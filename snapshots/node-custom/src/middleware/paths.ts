import type { RequestHandler } from "express";

/**
 * Express decodes route parameters while it matches routes, and fails on a malformed escape
 * (`/api/v1/.../%ZZ`) before any handler runs: neither the method nor the token would be checked
 * first. Such a path segment keeps its characters as sent (its `%` escaped as `%25`), so the
 * request goes through the checks in their order and its id is refused as malformed (400).
 */
export const literalMalformedEscapes: RequestHandler = (req, _res, next) => {
  const queryStart = req.url.indexOf("?");
  const path = queryStart === -1 ? req.url : req.url.slice(0, queryStart);
  const literal = path
    .split("/")
    .map((segment) => (decodes(segment) ? segment : segment.replaceAll("%", "%25")))
    .join("/");
  if (literal !== path) req.url = literal + (queryStart === -1 ? "" : req.url.slice(queryStart));
  next();
};

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
