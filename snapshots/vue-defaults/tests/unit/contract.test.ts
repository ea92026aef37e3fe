import { describe, expect, it } from "vitest";

import { RESOURCES } from "@/resources";
import { FIRST_PAGE, PAGE_SIZES } from "@/services/resource";

import contract from "../../api/openapi.json";

// What the app says of each resource against the contract's own document (api/openapi.json):
// the types say which members and values exist, the document also says which are required,
// their limits, defaults and the list's orders.
interface Schema {
  $ref?: string;
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  default?: unknown;
}
interface Operation {
  parameters?: { name?: string; schema?: Schema }[];
  requestBody?: { content: { "application/json": { schema: Schema } } };
}
const paths = contract.paths as unknown as Record<string, { get?: Operation; post?: Operation }>;
const schemas = contract.components.schemas as unknown as Record<string, Schema>;
const { Page, Limit } = contract.components.parameters;

const named = ({ $ref = "" }: Schema): Schema => schemas[$ref.split("/").pop() ?? ""] ?? {};

describe.each(RESOURCES)("the $plural, against the contract", (resource) => {
  const collection = paths[resource.apiPath];
  const body = collection?.post?.requestBody?.content["application/json"].schema ?? {};
  const input = named(body);
  const members = input.properties ?? {};
  const sort = collection?.get?.parameters?.find(({ name }) => name === "sort")?.schema;

  it("has a field for each member POST sends, in its order", () => {
    expect(Object.keys(resource.fields)).toEqual(Object.keys(members));
  });

  it("says which fields are required, as the contract does", () => {
    for (const [name, field] of Object.entries(resource.fields)) {
      const member = members[name] ?? {};
      // A required field never is null; POST may leave it out when it has a default.
      const nullable = [member.type].flat().includes("null");
      expect(field.required, name).toBe(!nullable);
      const defaulted = field.kind !== "reference" && field.default !== undefined;
      expect(input.required?.includes(name) ?? false, name).toBe(field.required && !defaulted);
    }
  });

  it("checks each field within the contract's limits, with its default", () => {
    for (const [name, field] of Object.entries(resource.fields)) {
      const member = members[name] ?? {};
      if (field.kind === "reference") {
        expect(member.format, name).toBe("uuid");
        expect(
          RESOURCES.map(({ name: listed }) => listed),
          name,
        ).toContain(field.resource);
        continue;
      }
      expect(field.default, name).toEqual(member.default);
      if (field.kind === "string" || field.kind === "text") {
        expect(field.maxLength, name).toBe(member.maxLength);
      } else if (field.kind === "integer") {
        expect([field.minimum, field.maximum], name).toEqual([member.minimum, member.maximum]);
      } else if (field.kind === "enum") {
        // An optional enum's schema lists null among its values.
        expect(field.values, name).toEqual(member.enum?.filter((value) => value !== null));
      } else if (field.kind === "decimal") {
        const pattern = new RegExp(member.pattern ?? "");
        const whole = "9".repeat(field.precision - field.scale) || "0";
        const widest = field.scale > 0 ? `${whole}.${"9".repeat(field.scale)}` : whole;
        expect(pattern.test(widest), `${name}: ${widest}`).toBe(true);
        expect(pattern.test(`9${widest}`), `${name}: 9${widest}`).toBe(false);
      }
    }
  });

  it("is known by a one-line text member, if by any", () => {
    if (resource.title !== undefined) {
      expect(resource.fields[resource.title]?.kind).toBe("string");
    }
  });

  it("offers orders the list accepts, the contract's default first", () => {
    expect(resource.sorts[0].value).toBe(sort?.default);
    expect(sort?.enum).toEqual(expect.arrayContaining(resource.sorts.map(({ value }) => value)));
  });
});

describe("the list's pages", () => {
  it("start from the contract's defaults and stay within its limits", () => {
    expect(FIRST_PAGE.page).toBe(Page.schema.default);
    expect(FIRST_PAGE.limit).toBe(Limit.schema.default);
    expect(PAGE_SIZES).toContain(Limit.schema.default);
    for (const size of PAGE_SIZES) {
      expect(size).toBeGreaterThanOrEqual(Limit.schema.minimum);
      expect(size).toBeLessThanOrEqual(Limit.schema.maximum);
    }
  });
});
