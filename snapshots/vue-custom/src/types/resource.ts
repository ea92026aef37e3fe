import type { components } from "@/types/api";

type Schemas = components["schemas"];
type Parameters = components["parameters"];

/**
 * A resource the app manages, named once in its own file under src/resources/ and listed in
 * src/resources/index.ts. The router, the navigation, the API and the query cache read it.
 */
export interface ResourceDefinition {
  /** As the API names it, e.g. "media-assets": its route names and cache keys start with it. */
  readonly name: string;
  /** The backend's collection, e.g. "/api/v1/media-assets". */
  readonly apiPath: string;
  /** The app's path of its list, e.g. "/media-assets". */
  readonly route: string;
  /** How the user reads it, e.g. "Media assets" and "media asset". */
  readonly plural: string;
  readonly singular: string;
}

// What the screens read and send of a resource: the example resource's fields (name and
// description). Each resource's file checks that its contract types fit these.

/** One item, as the API sends it. */
export interface Resource {
  id: Schemas["Id"];
  name: string;
  description: string | null;
  createdAt: Schemas["Timestamp"];
  updatedAt: Schemas["Timestamp"];
  version: number;
}
/** What POST and PUT send: the whole item (a description left out is null). */
export interface ResourceInput {
  name: string;
  description?: string | null;
}
/** One page of the list: `data` and `pagination`. */
export interface ResourcePage {
  data: Resource[];
  pagination: Schemas["Pagination"];
}
/** The list's query parameters as the API spells them: page, limit, sort, filter[name]. */
export interface ListQuery {
  page?: Parameters["Page"];
  limit?: Parameters["Limit"];
  sort?: SortOrder;
  "filter[name]"?: string;
}

/** A resource's own contract types must fit these: each resource's file extends it. */
export interface ResourceTypes {
  item: Resource;
  input: ResourceInput;
  page: ResourcePage;
  query: ListQuery;
}

type SortField = "createdAt" | "updatedAt" | "name";
/** An order the API can sort the list in: one of the contract's `sort` values. */
export type SortOrder = SortField | `${SortField}:asc` | `${SortField}:desc`;

/** What the list view asks for; services/resource.ts sends it as the API's query parameters. */
export interface ListParams {
  /** From 1. */
  page: number;
  /** Items per page, within the contract's 1 to 100. */
  limit: number;
  sort: SortOrder;
  /** Names containing this text, ignoring case; empty for all. */
  filter: string;
}
