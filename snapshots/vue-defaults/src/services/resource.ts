import type { AxiosInstance } from "axios";
import { inject, type InjectionKey } from "vue";

import type {
  ListParams,
  ListQuery,
  Resource,
  ResourceDefinition,
  ResourceInput,
  ResourcePage,
} from "@/types/resource";

/** The page sizes the list offers, within the contract's `limit` (1 to 100). */
export const PAGE_SIZES: readonly number[] = [10, 20, 50, 100];

/** The first page as the API serves it by default: 10 items, newest first, unfiltered. */
export const FIRST_PAGE: Readonly<ListParams> = {
  page: 1,
  limit: 10,
  sort: "createdAt:desc",
  filter: "",
};

/** The members `include` embeds for the list's reference columns: "author" for authorId. */
export function embeddedInList({ fields }: ResourceDefinition): string[] {
  return Object.values(fields).flatMap((field) =>
    field.kind === "reference" && field.column ? [field.embedded] : [],
  );
}

/** The backend's endpoints of one resource (api/openapi.json). */
export function createResourceApi(http: AxiosInstance, resource: ResourceDefinition) {
  const { apiPath, title } = resource;
  const itemPath = (id: string): string => `${apiPath}/${encodeURIComponent(id)}`;
  const include = embeddedInList(resource).join(",");
  return {
    /**
     * One page in the order asked for, with the title's filter only when there is one, and the
     * items referred to by the list's columns embedded (`include`).
     */
    async list({ page, limit, sort, filter }: ListParams): Promise<ResourcePage> {
      const params: ListQuery = { page, limit, sort };
      if (filter && title !== undefined) params[`filter[${title}]`] = filter;
      if (include) params.include = include;
      return (await http.get<ResourcePage>(apiPath, { params })).data;
    },
    async get(id: string): Promise<Resource> {
      return (await http.get<Resource>(itemPath(id))).data;
    },
    async create(input: ResourceInput): Promise<Resource> {
      return (await http.post<Resource>(apiPath, input)).data;
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

/** Gives each resource's API: main.ts provides one that calls the backend, tests their own. */
export type ResourceApis = (resource: ResourceDefinition) => ResourceApi;

export const resourceApiKey: InjectionKey<ResourceApis> = Symbol("resourceApi");

/** The API of `resource` the app was given. */
export function useResourceApi(resource: ResourceDefinition): ResourceApi {
  const apis = inject(resourceApiKey);
  if (apis === undefined) throw new Error("the resource API is not provided");
  return apis(resource);
}
