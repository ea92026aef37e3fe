import type { components, paths } from "@/types/api";

/**
 * The example resource this app manages, named once: the backend's path, the app's route, and
 * how the user reads it. Everything else in the app is written against these names.
 */
export const RESOURCE = {
  apiPath: "/api/v1/items",
  route: "/items",
  plural: "Items",
  singular: "item",
} as const;

// The contract's types of the resource (src/types/api.ts, generated from api/openapi.json),
// under names the rest of the app can use whatever the resource is called.

/** One item, as the API sends it. */
export type Resource = components["schemas"]["Item"];
/** What POST and PUT send: the whole item (a description left out is null). */
export type ResourceInput = components["schemas"]["ItemInput"];
/** One page of the list: `data` and `pagination`. */
export type ResourcePage = components["schemas"]["ItemPage"];

type ListOperation = paths["/api/v1/items"]["get"];
/** The list's query parameters as the API spells them: page, limit, sort, filter[name]. */
export type ListQuery = NonNullable<ListOperation["parameters"]["query"]>;
