import { z } from "zod";

/** The `pagination` part of every list response (Visiobook guidelines 3.1). */
export interface Pagination {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

export function paginate(page: number, limit: number, total: number): Pagination {
  return { page, limit, total, totalPages: Math.ceil(total / limit) };
}

/** A whole number in decimal digits only: `1.0`, `+1`, ` 1` and `0x1` are refused. */
function wholeNumber(max: number, fallback: number) {
  return z
    .string()
    .regex(/^[0-9]+$/, "must be written in decimal digits")
    .transform(Number)
    .pipe(z.number().min(1, `must be from 1 to ${max}`).max(max, `must be from 1 to ${max}`))
    .default(fallback);
}

/** `page` (deep OFFSETs are slow: clients that go that far should filter) and `limit`. */
export const pageParams = {
  page: wholeNumber(100_000, 1),
  limit: wholeNumber(100, 10),
};

export interface Sort<Field extends string> {
  field: Field;
  direction: "asc" | "desc";
}

/** `sort=<field>[:asc|desc]`, the field one of `fields`; ascending when no direction is given. */
export function sortParam<const Field extends string>(
  fields: readonly Field[],
  fallback: `${Field}:${"asc" | "desc"}`,
) {
  const values = fields.flatMap((field) => [`${field}:desc`, `${field}:asc`, field]);
  return z
    .enum(values as [string, ...string[]])
    .default(fallback)
    .transform((value): Sort<Field> => {
      const [field, direction] = value.split(":");
      return { field: field as Field, direction: direction === "desc" ? "desc" : "asc" };
    });
}

/** `include=<reference>[,<reference>...]`: each of `references`, embedded once, in order. */
export function includeParam<const Name extends string>(references: readonly Name[]) {
  const message = `must be a comma-separated list of: ${references.join(", ")}`;
  return z
    .string()
    .transform((text) => text.split(","))
    .refine(
      (names) => names.every((name) => (references as readonly string[]).includes(name)),
      message,
    )
    .transform((names) => [...new Set(names)] as Name[]);
}
