import { describe, expect, it } from "vitest";

import type { Field } from "@/types/resource";
import { formValues, fromLocalInput, inputOf, problemOf, toLocalInput } from "@/utils/fields";

import { anItem } from "./fake-api";
import { sketchResource } from "./second-resource";

/** A field of the kind `described` gives, optional and labelled "Field" unless it says. */
const field = (described: { kind: Field["kind"] } & Record<string, unknown>): Field =>
  ({ label: "Field", required: false, column: true, ...described }) as Field;

describe("a form's values", () => {
  it("keep an instant to the millisecond through the user's time and back", () => {
    const sent = "2024-02-29T23:59:58.123Z";
    expect(toLocalInput(sent)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.123$/);
    expect(fromLocalInput(toLocalInput(sent))).toBe(sent);
    expect(toLocalInput("not a date")).toBe("");
  });

  it("start from an item's values, and go back to the API unchanged", () => {
    const sent = {
      name: "Chalk",
      notes: "Grey",
      pages: 12,
      price: "3.50",
      inked: true,
      drawnOn: "2024-02-29",
      shownAt: "2024-02-29T10:30:00.500Z",
      status: "final",
      subjectId: "a1",
    };
    const values = formValues(sketchResource, anItem(sent));

    expect(values.pages).toBe("12");
    expect(inputOf(sketchResource, values)).toEqual(sent);
  });
});

describe("what the form says is wrong", () => {
  it("refuses a day that does not exist, and an instant that is not one", () => {
    const day = field({ kind: "date" });
    expect(problemOf(day, "2024-02-29")).toBeNull();
    expect(problemOf(day, "2023-02-29")).toBe("Field must be a date");
    expect(problemOf(day, "29/02/2024")).toBe("Field must be a date");
    expect(problemOf(field({ kind: "datetime" }), "soon")).toBe("Field must be a date and time");
  });

  it("counts text in code points and keeps integers within their range", () => {
    expect(problemOf(field({ kind: "text", maxLength: 2 }), "🌅🌅")).toBeNull();
    expect(problemOf(field({ kind: "text", maxLength: 2 }), "abc")).toBe("At most 2 characters");
    const integer = field({ kind: "integer", minimum: -5, maximum: 5 });
    expect(problemOf(integer, "-5")).toBeNull();
    expect(problemOf(integer, "6")).toBe("Field must be between -5 and 5");
  });

  it("reads a decimal's digits as the contract counts them", () => {
    const cents = field({ kind: "decimal", precision: 2, scale: 2 });
    expect(problemOf(cents, "0.99")).toBeNull();
    expect(problemOf(cents, "1.00")).toBe(
      "Field must be a number with 0 before the point and at most 2 digits after",
    );
    const whole = field({ kind: "decimal", precision: 3, scale: 0 });
    expect(problemOf(whole, "1.5")).toBe(
      "Field must be a number with at most 3 digits and no point",
    );
  });

  it("asks for a required value, whatever its kind", () => {
    const status = field({ kind: "enum", values: ["draft"], required: true, label: "Status" });
    expect(problemOf(status, null)).toBe("Status is required");
    expect(problemOf({ ...status, required: false }, null)).toBeNull();
    expect(problemOf(status, "gone")).toBe("Status must be one of its values");
  });
});
