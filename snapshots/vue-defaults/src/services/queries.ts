import {
  keepPreviousData,
  QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/vue-query";
import { computed, toValue, type MaybeRefOrGetter } from "vue";

import { useResourceApi } from "@/services/resource";
import type { ListParams, Resource, ResourceDefinition, ResourceInput } from "@/types/resource";
import { toApiError } from "@/utils/errors";

/**
 * Server state of a resource, cached by Vue Query under these keys: each starts with the
 * resource's name, so two resources never share an entry.
 */
export function resourceKeys({ name }: ResourceDefinition) {
  return {
    all: [name] as const,
    lists: [name, "list"] as const,
    list: (params: ListParams) => [name, "list", params] as const,
    item: (id: string) => [name, "item", id] as const,
  };
}

/**
 * Retries a read once when the service could not answer (network, 5xx); a 4xx will not change
 * by asking again, and mutations are never retried (they may not be idempotent).
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (failures, error) => {
          const { status } = toApiError(error);
          return failures < 1 && (status === 0 || status >= 500);
        },
      },
    },
  });
}

export function useResourceList(
  resource: ResourceDefinition,
  params: MaybeRefOrGetter<ListParams>,
) {
  const api = useResourceApi(resource);
  const keys = resourceKeys(resource);
  return useQuery({
    queryKey: computed(() => keys.list({ ...toValue(params) })),
    queryFn: () => api.list(toValue(params)),
    // The table keeps showing the current page while the next one loads.
    placeholderData: keepPreviousData,
  });
}

/** One item; `enabled` false leaves it unasked (a reference already embedded, or empty). */
export function useResourceItem(
  resource: ResourceDefinition,
  id: MaybeRefOrGetter<string>,
  enabled: MaybeRefOrGetter<boolean> = true,
) {
  const api = useResourceApi(resource);
  const keys = resourceKeys(resource);
  return useQuery({
    queryKey: computed(() => keys.item(toValue(id))),
    queryFn: () => api.get(toValue(id)),
    enabled: computed(() => toValue(enabled)),
  });
}

/** After a change the item's cache holds the backend's answer and every list is refetched. */
function useAfterChange(resource: ResourceDefinition) {
  const queryClient = useQueryClient();
  const keys = resourceKeys(resource);
  return async (item: Resource): Promise<void> => {
    queryClient.setQueryData(keys.item(item.id), item);
    await queryClient.invalidateQueries({ queryKey: keys.lists });
  };
}

export function useCreateResource(resource: ResourceDefinition) {
  const api = useResourceApi(resource);
  const afterChange = useAfterChange(resource);
  return useMutation({
    mutationFn: (input: ResourceInput) => api.create(input),
    onSuccess: afterChange,
  });
}

export function useReplaceResource(resource: ResourceDefinition, id: MaybeRefOrGetter<string>) {
  const api = useResourceApi(resource);
  const afterChange = useAfterChange(resource);
  return useMutation({
    mutationFn: (input: ResourceInput) => api.replace(toValue(id), input),
    onSuccess: afterChange,
  });
}

export function useRemoveResource(resource: ResourceDefinition) {
  const api = useResourceApi(resource);
  const keys = resourceKeys(resource);
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.remove(id),
    onSuccess: async (_nothing, id) => {
      queryClient.removeQueries({ queryKey: keys.item(id) });
      await queryClient.invalidateQueries({ queryKey: keys.lists });
    },
  });
}
