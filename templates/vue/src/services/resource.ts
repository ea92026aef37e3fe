import type { AxiosInstance } from "axios";
import { inject, type InjectionKey } from "vue";

import { RESOURCE } from "@/resource";
import type { Page, Resource, ResourceInput } from "@/types/resource";

export interface ListParams {
  page: number;
  limit: number;
  /** Names containing this text, ignoring case; empty for all. */
  filter: string;
}

const itemPath = (id: string): string => `${RESOURCE.apiPath}/${encodeURIComponent(id)}`;

/** The backend's endpoints of the resource (guidelines 3.1). */
export function createResourceApi(http: AxiosInstance) {
  return {
    async list({ page, limit, filter }: ListParams): Promise<Page<Resource>> {
      const params: Record<string, string | number> = { page, limit };
      if (filter) params["filter[name]"] = filter;
      return (await http.get<Page<Resource>>(RESOURCE.apiPath, { params })).data;
    },
    async get(id: string): Promise<Resource> {
      return (await http.get<Resource>(itemPath(id))).data;
    },
    async create(input: ResourceInput): Promise<Resource> {
      return (await http.post<Resource>(RESOURCE.apiPath, input)).data;
    },
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
