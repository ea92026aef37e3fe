/** One item of the resource, as the app uses it (see services/resource.ts for the wire format). */
export interface Resource {
  id: string;
  name: string;
  description: string | null;
  /** Bumped by the backend on every change. */
  version: number;
  /** ISO 8601 date-times. */
  createdAt: string;
  updatedAt: string;
}

/** What the form sends on create (POST) and edit (PUT). */
export interface ResourceInput {
  name: string;
  description: string | null;
}

/** The `pagination` part of a list response (guidelines 3.1). */
export interface Pagination {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

/** A page of a list endpoint (guidelines 3.1). */
export interface Page<Item> {
  data: Item[];
  pagination: Pagination;
}

/** What the list view asks for. */
export interface ListParams {
  page: number;
  limit: number;
  /** Names containing this text; empty for all. */
  filter: string;
}
