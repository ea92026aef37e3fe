import type { Request } from "express";

// Requests that match no route share one label, so random paths cannot explode cardinality.
export const UNMATCHED_ROUTE = "<unmatched>";

/** The matched route as the OpenAPI document writes it, /api/v1/items/{id}, never the raw path. */
export function routeLabel(req: Request): string {
  const route: unknown = req.route;
  if (typeof route !== "object" || route === null || !("path" in route)) return UNMATCHED_ROUTE;
  if (typeof route.path !== "string") return UNMATCHED_ROUTE;
  // Every router is mounted at the root, so the route's path is the whole template.
  return route.path.replace(/:(\w+)/g, "{$1}");
}
