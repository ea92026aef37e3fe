import type { components, paths } from "@/types/api";
import type { ResourceDefinition, ResourceTypes } from "@/types/resource";

/**
 * The items, named once:
 * the backend's path, the app's route, and how the user reads them.
 * src/resources/index.ts lists them; the screens are written against these names.
 */
export const itemResource: ResourceDefinition = {
  name: "items",
  apiPath: "/api/v1/items",
  route: "/items",
  plural: "Items",
  singular: "item",
};

// The contract's types of the items
// (src/types/api.ts, generated from api/openapi.json).

/** One item, as the API sends it. */
export type Item = components["schemas"]["Item"];
/** What POST and PUT send: the whole item (a description left out is null). */
export type ItemInput = components["schemas"]["ItemInput"];
/** One page of the list: `data` and `pagination`. */
export type ItemPage = components["schemas"]["ItemPage"];

type ListOperation = paths["/api/v1/items"]["get"];
/** The list's query parameters as the API spells them: page, limit, sort, filter[name]. */
export type ItemListQuery = NonNullable<ListOperation["parameters"]["query"]>;

/** The screens use the types of src/types/resource.ts: type-checking fails here if these drift. */
export interface ItemContract extends ResourceTypes {
  item: Item;
  input: ItemInput;
  page: ItemPage;
  query: ItemListQuery;
}
