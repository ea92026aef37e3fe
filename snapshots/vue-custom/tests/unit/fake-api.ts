import { vi } from "vitest";

import type { ResourceApi } from "@/services/resource";
import type { ListParams, Resource, ResourceInput } from "@/types/resource";
import { ApiError } from "@/utils/errors";

export function anItem(overrides: Partial<Resource> = {}): Resource {
  return {
    id: "3f2c8a8e-0000-4000-8000-000000000001",
    name: "Sunrise",
    description: "Over the bay",
    version: 1,
    createdAt: "2026-01-02T03:04:05.000Z",
    updatedAt: "2026-01-02T03:04:05.000Z",
    ...overrides,
  };
}

type Sortable = string | number | boolean;

/** The API's order for `sort`: by the field (ascending unless `:desc`), ties by id. */
function byOrder(sort: string): (a: Resource, b: Resource) => number {
  const [field = "createdAt", direction] = sort.split(":");
  const sign = direction === "desc" ? -1 : 1;
  const compare = (x: unknown, y: unknown): number => {
    const [left, right] = [(x ?? "") as Sortable, (y ?? "") as Sortable];
    return left < right ? -1 : left > right ? 1 : 0;
  };
  return (a, b) => sign * compare(a[field], b[field]) || compare(a.id, b.id);
}

/**
 * The backend's behaviour in memory: the views under test talk to it as they would to the real
 * one, and each method is a spy the tests can inspect or make fail.
 */
export function fakeApi(items: Resource[] = []) {
  const stored = [...items];
  let nextId = stored.length + 1;
  const notFound = (id: string) => new ApiError(`no item ${id}`, 404, "NOT_FOUND", "corr-404");
  const find = (id: string): Resource => {
    const item = stored.find((candidate) => candidate.id === id);
    if (item === undefined) throw notFound(id);
    return item;
  };
  const api = {
    list: vi.fn(({ page, limit, sort, filter }: ListParams) => {
      const matching = stored
        .filter((item) => String(item.name).toLowerCase().includes(filter.toLowerCase()))
        .sort(byOrder(sort));
      const data = matching.slice((page - 1) * limit, page * limit);
      const totalPages = Math.ceil(matching.length / limit);
      return Promise.resolve({
        data,
        pagination: { page, limit, total: matching.length, totalPages },
      });
    }),
    get: vi.fn((id: string) => Promise.resolve(find(id))),
    create: vi.fn((input: ResourceInput) => {
      const item = anItem({ description: null, ...input, id: `new-${nextId++}` });
      stored.push(item);
      return Promise.resolve(item);
    }),
    replace: vi.fn((id: string, input: ResourceInput) => {
      const item = Object.assign(find(id), { description: null, ...input });
      item.version += 1;
      item.updatedAt = new Date().toISOString();
      return Promise.resolve({ ...item });
    }),
    remove: vi.fn((id: string) => {
      stored.splice(stored.indexOf(find(id)), 1);
      return Promise.resolve();
    }),
  } satisfies ResourceApi;
  return api;
}

export type FakeApi = ReturnType<typeof fakeApi>;
