import type { AxiosInstance } from "axios";
import { inject, type InjectionKey } from "vue";

import {
  RESOURCE,
  type ListQuery,
  type Resource,
  type ResourceInput,
  type ResourcePage,
} from "@/resource";
import type { ListParams, SortOrder } from "@/types/resource";

/** The orders the list offers, among the contract's `sort` values. */
export const SORT_ORDERS: readonly { value: SortOrder; title: string }[] = [
  { value: "createdAt:desc", title: "Newest first" },
  { value: "createdAt:asc", title: "Oldest first" },
  { value: "updatedAt:desc", title: "Recently updated" },
  { value: "name:asc", title: "Name A–Z" },
  { value: "name:desc", title: "Name Z–A" },
];

/** The page sizes the list offers, within the contract's `limit` (1 to 100). */
export const PAGE_SIZES: readonly number[] = [10, 20, 50, 100];

/** The first page as the API serves it by default: 10 items, newest first, unfiltered. */
export const FIRST_PAGE: Readonly<ListParams> = {
  page: 1,
  limit: 10,
  sort: "createdAt:desc",
  filter: "",
};

const itemPath = (id: string): string => `${RESOURCE.apiPath}/${encodeURIComponent(id)}`;

/** The backend's endpoints of the resource (api/openapi.json). */
export function createResourceApi(http: AxiosInstance) {
  return {
    /** One page in the order asked for, with the name filter only when there is one. */
    async list({ page, limit, sort, filter }: ListParams): Promise<ResourcePage> {
      const params: ListQuery = { page, limit, sort };
      if (filter) params["filter[name]"] = filter;
      return (await http.get<ResourcePage>(RESOURCE.apiPath, { params })).data;
    },
    async get(id: string): Promise<Resource> {
      return (await http.get<Resource>(itemPath(id))).data;
    },
    async create(input: ResourceInput): Promise<Resource> {
      return (await http.post<Resource>(RESOURCE.apiPath, input)).data;
    },
    /** PUT: the whole item is replaced by `input`. */
    async replace(id: string, input: ResourceInput): Promise<Resource> {
      return (await http.put<Resource>(itemPath(id), input)).data;
    },
    async remove(id: string): Promise<void> {
      await http.delete(itemPath(id));
    },
  };
}

export type ResourceApi = ReturnType<typeof createResourceApi>;

export const resourceApiKey: InjectionKey<ResourceApi> = Symbol("resourceApi");

/** The API the app was given (main.ts provides it; tests provide their own). */
export function useResourceApi(): ResourceApi {
  const api = inject(resourceApiKey);
  if (api === undefined) throw new Error("the resource API is not provided");
  return api;
}
