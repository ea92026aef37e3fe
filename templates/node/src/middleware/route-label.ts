import type { Request } from "express";

// Requests that match no route share one label, so random paths cannot explode cardinality.
export const UNMATCHED_ROUTE = "<unmatched>";

/** The matched route template, e.g. /api/v1/items/:id, never the raw path. */
export function routeLabel(req: Request): string {
  const route: unknown = req.route;
  if (typeof route !== "object" || route === null || !("path" in route)) return UNMATCHED_ROUTE;
  if (typeof route.path !== "string") return UNMATCHED_ROUTE;
  // Once a response is finished Express has reset req.baseUrl, so the mount path is rebuilt:
  // the request path minus as many trailing segments as the route template has.
  const template = route.path.split("/").filter(Boolean);
  const path = (req.originalUrl.split("?")[0] ?? "").split("/").filter(Boolean);
  const mount = path.slice(0, path.length - template.length);
  return `/${[...mount, ...template].join("/")}`;
}
