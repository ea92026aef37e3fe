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

export interface Sort<Field extends string> {
  field: Field;
  direction: "asc" | "desc";
}

/** `sort=<field>[:asc|desc]`, the field one of `fields`; ascending when no direction is given. */
export function sortParam<const Field extends string>(
  fields: readonly [Field, ...Field[]],
  fallback: string,
) {
  const pattern = new RegExp(`^(${fields.join("|")})(:(asc|desc))?$`);
  return z
    .string()
    .regex(pattern, `sort must be <field>[:asc|desc] with field one of: ${fields.join(", ")}`)
    .default(fallback)
    .transform((value): Sort<Field> => {
      const [field, direction] = value.split(":");
      return { field: field as Field, direction: direction === "desc" ? "desc" : "asc" };
    });
}

export const pageParam = z.coerce.number().int().min(1).default(1);
export const limitParam = z.coerce.number().int().min(1).max(100).default(20);
