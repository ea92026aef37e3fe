import type { AxiosInstance } from "axios";
import { inject, type InjectionKey } from "vue";

import { RESOURCE } from "@/resource";
import type { ListParams, Page, Resource, ResourceInput } from "@/types/resource";

/**
 * An item as the backend sends it. The Node stack names the timestamps createdAt/updatedAt;
 * the FastAPI and Go stacks send created_at/updated_at. The app accepts both.
 */
export type SentResource = Omit<Resource, "createdAt" | "updatedAt"> &
  ({ createdAt: string; updatedAt: string } | { created_at: string; updated_at: string });

export function fromSent(sent: SentResource): Resource {
  const { id, name, description, version } = sent;
  return "createdAt" in sent
    ? { id, name, description, version, createdAt: sent.createdAt, updatedAt: sent.updatedAt }
    : { id, name, description, version, createdAt: sent.created_at, updatedAt: sent.updated_at };
}

const itemPath = (id: string): string => `${RESOURCE.apiPath}/${encodeURIComponent(id)}`;

/** The backend's endpoints of the resource (guidelines 3.1). */
export function createResourceApi(http: AxiosInstance) {
  return {
    /** Newest first: no `sort` is sent, as each stack spells the field its own way. */
    async list({ page, limit, filter }: ListParams): Promise<Page<Resource>> {
      const params: Record<string, string | number> = { page, limit };
      if (filter) params["filter[name]"] = filter;
      const sent = (await http.get<Page<SentResource>>(RESOURCE.apiPath, { params })).data;
      return { data: sent.data.map(fromSent), pagination: sent.pagination };
    },
    async get(id: string): Promise<Resource> {
      return fromSent((await http.get<SentResource>(itemPath(id))).data);
    },
    async create(input: ResourceInput): Promise<Resource> {
      return fromSent((await http.post<SentResource>(RESOURCE.apiPath, input)).data);
    },
    /** PUT: the whole item is replaced by `input`. */
    async replace(id: string, input: ResourceInput): Promise<Resource> {
      return fromSent((await http.put<SentResource>(itemPath(id), input)).data);
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
