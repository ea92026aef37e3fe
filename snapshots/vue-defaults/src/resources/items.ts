import type { components, paths } from "@/types/api";
import { defineResource, type ResourceTypes } from "@/types/resource";

// The contract's types of the items
// (src/types/api.ts, generated from api/openapi.json).

/** One item, as the API sends it. */
export type Item = components["schemas"]["Item"];
/** What POST and PUT send: the whole item (a field left out gets its default, or null). */
export type ItemInput = components["schemas"]["ItemInput"];
/** One page of the list: `data` and `pagination`. */
export type ItemPage = components["schemas"]["ItemPage"];

type ListOperation = paths["/api/v1/items"]["get"];
/** The list's query parameters as the API spells them: page, limit, sort, filter[...]. */
export type ItemListQuery = NonNullable<ListOperation["parameters"]["query"]>;

/** The screens use the types of src/types/resource.ts: type-checking fails here if these drift. */
export interface ItemContract extends ResourceTypes {
  item: Item;
  input: ItemInput;
  page: ItemPage;
  query: ItemListQuery;
}

/**
 * The items, described once: the backend's path, the app's route, how the
 * user reads them, and their fields (the form's inputs; the list shows those with a column).
 * src/resources/index.ts lists them; the screens are written against this.
 */
export const itemResource = defineResource<ItemContract>({
  name: "items",
  apiPath: "/api/v1/items",
  route: "/items",
  plural: "Items",
  singular: "item",
  title: "name",
  fields: {
    name: {
      kind: "string",
      label: "Name",
      required: true,
      column: true,
      maxLength: 200,
    },
    description: {
      kind: "text",
      label: "Description",
      required: false,
      column: true,
      maxLength: 10_000,
    },
  },
  sorts: [
    { value: "createdAt:desc", title: "Newest first" },
    { value: "createdAt:asc", title: "Oldest first" },
    { value: "updatedAt:desc", title: "Recently updated" },
    { value: "name:asc", title: "Name A–Z" },
    { value: "name:desc", title: "Name Z–A" },
  ],
});
