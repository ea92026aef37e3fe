import { z } from "zod";

import { pageParams, sortParam, type Pagination } from "../utils/pagination";

/*
 * The request side of api/openapi.json for /api/v1/items: these schemas validate what
 * clients send; the document says the same to people and tools. Import the module as a
 * namespace (`import * as Schemas`): each schema has a type of the same name.
 */

/** Characters as JSON Schema and PostgreSQL count them; `.length` counts UTF-16 units. */
const codePoints = (value: string): number => Array.from(value).length;

/** A string without NUL or unpaired surrogates (PostgreSQL stores neither), its length capped. */
function text(maxLength: number, wrongType = "must be a string") {
  return z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : wrongType) })
    .refine((value) => value.isWellFormed(), "must not contain unpaired surrogates")
    .refine((value) => !value.includes("\0"), "must not contain NUL characters")
    .refine(
      (value) => codePoints(value) <= maxLength,
      `must be at most ${maxLength} characters long`,
    );
}

// Not blank: at least one character other than space, tab, CR and LF. Stored as sent.
const name = text(200).refine((value) => /[^ \t\r\n]/.test(value), "must not be blank");
const description = text(10_000, "must be a string or null").nullable();

/** POST and PUT: the whole item; a description left out is null. */
export const Input = z.strictObject({
  name,
  description: description.optional(),
});
export type Input = z.infer<typeof Input>;

/** PATCH: only the fields given change; `name` may be left out but not set to null. */
export const Patch = z.strictObject({
  name: name.optional(),
  description: description.optional(),
});
export type Patch = z.infer<typeof Patch>;

export const ListQuery = z.object({
  ...pageParams,
  sort: sortParam(["createdAt", "updatedAt", "name"], "createdAt:desc"),
  "filter[name]": text(200)
    .refine((value) => value.length > 0, "must not be empty")
    .optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** What clients receive for one item: #/components/schemas/Item. */
export interface Read {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** One page of the list: #/components/schemas/ItemPage. */
export interface Page {
  data: Read[];
  pagination: Pagination;
}
