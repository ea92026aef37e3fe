import type { components, paths } from "@/types/api";
import { defineResource, type ResourceTypes } from "@/types/resource";

// The contract's types of the media assets
// (src/types/api.ts, generated from api/openapi.json).

/** One media asset, as the API sends it. */
export type MediaAsset = components["schemas"]["MediaAsset"];
/** What POST and PUT send: the whole media asset (a field left out gets its default, or null). */
export type MediaAssetInput = components["schemas"]["MediaAssetInput"];
/** One page of the list: `data` and `pagination`. */
export type MediaAssetPage = components["schemas"]["MediaAssetPage"];

type ListOperation = paths["/api/v1/media-assets"]["get"];
/** The list's query parameters as the API spells them: page, limit, sort, filter[...]. */
export type MediaAssetListQuery = NonNullable<ListOperation["parameters"]["query"]>;

/** The screens use the types of src/types/resource.ts: type-checking fails here if these drift. */
export interface MediaAssetContract extends ResourceTypes {
  item: MediaAsset;
  input: MediaAssetInput;
  page: MediaAssetPage;
  query: MediaAssetListQuery;
}

/**
 * The media assets, described once: the backend's path, the app's route, how the
 * user reads them, and their fields (the form's inputs; the list shows those with a column).
 * src/resources/index.ts lists them; the screens are written against this.
 */
export const mediaAssetResource = defineResource<MediaAssetContract>({
  name: "media-assets",
  apiPath: "/api/v1/media-assets",
  route: "/media-assets",
  plural: "Media assets",
  singular: "media asset",
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
