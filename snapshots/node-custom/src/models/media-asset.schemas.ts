import { z } from "zod";

import { pageParams, sortParam, type Pagination } from "../utils/pagination";
import * as values from "./values";

/*
 * The request side of api/openapi.json for /api/v1/media-assets: these schemas validate what
 * clients send; the document says the same to people and tools. Import the module as a
 * namespace (`import * as Schemas`): each schema has a type of the same name.
 */

/** The fields the list sorts on. */
export const SORT_FIELDS = ["createdAt", "updatedAt", "name"] as const;

/** The fields the list filters on, in the contract's order. */
export const FILTERS = ["name"] as const;

/** POST and PUT: the whole media-asset; a field left out gets its default, or null. */
export const Input = z.strictObject({
  name: values.notBlank(200),
  description: values.text(10_000, "must be a string or null").nullable().default(null),
});
export type Input = z.infer<typeof Input>;

/** PATCH: only the fields given change; a required field may be left out but not set to null. */
export const Patch = z.strictObject({
  name: values.notBlank(200).optional(),
  description: values.text(10_000, "must be a string or null").nullable().optional(),
});
export type Patch = z.infer<typeof Patch>;

/** The list's sort fields, filters and includes (guidelines 3.1). */
export const ListQuery = z.object({
  ...pageParams,
  sort: sortParam(SORT_FIELDS, "createdAt:desc"),
  "filter[name]": values.containedText(200).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** What clients receive for one media-asset: #/components/schemas/MediaAsset. */
export interface Read {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** One page of the list: #/components/schemas/MediaAssetPage. */
export interface Page {
  data: Read[];
  pagination: Pagination;
}
