/** One item of the resource, as the backend's list and detail endpoints return it. */
export interface Resource {
  id: string;
  name: string;
  description: string | null;
  version: number;
}

/** What the form sends on create (POST) and edit (PUT). */
export interface ResourceInput {
  name: string;
  description: string | null;
}

/** A page of a list endpoint (guidelines 3.1). */
export interface Page<Item> {
  data: Item[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}
