import type { ListQuery } from "@/resource";

/** An order the API can sort the list in: one of the contract's `sort` values. */
export type SortOrder = NonNullable<ListQuery["sort"]>;

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
