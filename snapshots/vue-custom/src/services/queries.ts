import {
  keepPreviousData,
  QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/vue-query";
import { computed, toValue, type MaybeRefOrGetter } from "vue";

import type { Resource, ResourceInput } from "@/resource";
import { useResourceApi } from "@/services/resource";
import type { ListParams } from "@/types/resource";
import { toApiError } from "@/utils/errors";

/** Server state of the resource, cached by Vue Query under these keys. */
export const resourceKeys = {
  all: ["resource"] as const,
  lists: ["resource", "list"] as const,
  list: (params: ListParams) => ["resource", "list", params] as const,
  item: (id: string) => ["resource", "item", id] as const,
};

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

export function useResourceList(params: MaybeRefOrGetter<ListParams>) {
  const api = useResourceApi();
  return useQuery({
    queryKey: computed(() => resourceKeys.list({ ...toValue(params) })),
    queryFn: () => api.list(toValue(params)),
    // The table keeps showing the current page while the next one loads.
    placeholderData: keepPreviousData,
  });
}

export function useResourceItem(id: MaybeRefOrGetter<string>) {
  const api = useResourceApi();
  return useQuery({
    queryKey: computed(() => resourceKeys.item(toValue(id))),
    queryFn: () => api.get(toValue(id)),
  });
}

/** After a change the item's cache holds the backend's answer and every list is refetched. */
function useAfterChange() {
  const queryClient = useQueryClient();
  return async (item: Resource): Promise<void> => {
    queryClient.setQueryData(resourceKeys.item(item.id), item);
    await queryClient.invalidateQueries({ queryKey: resourceKeys.lists });
  };
}

export function useCreateResource() {
  const api = useResourceApi();
  const afterChange = useAfterChange();
  return useMutation({
    mutationFn: (input: ResourceInput) => api.create(input),
    onSuccess: afterChange,
  });
}

export function useReplaceResource(id: MaybeRefOrGetter<string>) {
  const api = useResourceApi();
  const afterChange = useAfterChange();
  return useMutation({
    mutationFn: (input: ResourceInput) => api.replace(toValue(id), input),
    onSuccess: afterChange,
  });
}

export function useRemoveResource() {
  const api = useResourceApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.remove(id),
    onSuccess: async (_nothing, id) => {
      queryClient.removeQueries({ queryKey: resourceKeys.item(id) });
      await queryClient.invalidateQueries({ queryKey: resourceKeys.lists });
    },
  });
}
