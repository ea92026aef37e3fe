import type { components, paths } from "@/types/api";
import type { ResourceDefinition, ResourceTypes } from "@/types/resource";

/**
 * The media assets, named once:
 * the backend's path, the app's route, and how the user reads them.
 * src/resources/index.ts lists them; the screens are written against these names.
 */
export const mediaAssetResource: ResourceDefinition = {
  name: "media-assets",
  apiPath: "/api/v1/media-assets",
  route: "/media-assets",
  plural: "Media assets",
  singular: "media asset",
};

// The contract's types of the media assets
// (src/types/api.ts, generated from api/openapi.json).

/** One media asset, as the API sends it. */
export type MediaAsset = components["schemas"]["MediaAsset"];
/** What POST and PUT send: the whole media asset (a description left out is null). */
export type MediaAssetInput = components["schemas"]["MediaAssetInput"];
/** One page of the list: `data` and `pagination`. */
export type MediaAssetPage = components["schemas"]["MediaAssetPage"];

type ListOperation = paths["/api/v1/media-assets"]["get"];
/** The list's query parameters as the API spells them: page, limit, sort, filter[name]. */
export type MediaAssetListQuery = NonNullable<ListOperation["parameters"]["query"]>;

/** The screens use the types of src/types/resource.ts: type-checking fails here if these drift. */
export interface MediaAssetContract extends ResourceTypes {
  item: MediaAsset;
  input: MediaAssetInput;
  page: MediaAssetPage;
  query: MediaAssetListQuery;
}
