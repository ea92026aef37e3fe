import { describe, expect, it } from "vitest";

import { FIRST_PAGE, PAGE_SIZES, SORT_ORDERS } from "@/services/resource";

import contract from "../../api/openapi.json";

// The list's choices against the contract's own document (api/openapi.json): the types say
// which values exist, the document also says which are defaults and what range is allowed.
const { Page, Limit } = contract.components.parameters;

interface ListParameter {
  name?: string;
  schema?: { default?: unknown; enum?: unknown[] };
}
type Paths = Record<string, { get?: { parameters?: ListParameter[] } }>;
// Each resource's list operation has its own `sort`, from its fields.
const [Sort] = Object.values(contract.paths as unknown as Paths)
  .flatMap((item) => item.get?.parameters ?? [])
  .filter((parameter) => parameter.name === "sort");

describe("the list's choices", () => {
  it("start from the contract's defaults", () => {
    expect(FIRST_PAGE.page).toBe(Page.schema.default);
    expect(FIRST_PAGE.limit).toBe(Limit.schema.default);
    expect(FIRST_PAGE.sort).toBe(Sort?.schema?.default);
    expect(SORT_ORDERS[0]?.value).toBe(Sort?.schema?.default);
    expect(PAGE_SIZES).toContain(Limit.schema.default);
  });

  it("stay within what the contract accepts", () => {
    for (const size of PAGE_SIZES) {
      expect(size).toBeGreaterThanOrEqual(Limit.schema.minimum);
      expect(size).toBeLessThanOrEqual(Limit.schema.maximum);
    }
    expect(Sort?.schema?.enum).toEqual(
      expect.arrayContaining(SORT_ORDERS.map(({ value }) => value)),
    );
  });
});
