import type { Request } from "express";
import type { z } from "zod";

import { invalid, type Problem } from "../utils/errors";

// A hyphenated UUID, in any case.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Zod's issues as the API's problems, one per field: `body.name`, `query.page`... */
export function problems(error: z.ZodError, part: "body" | "query"): Problem[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: `${part}.${key}`, message: "is not a known field" }))
      : [{ field: [part, ...issue.path.map(String)].join("."), message: issue.message }],
  );
}

function parse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  part: "body" | "query",
): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(problems(result.error, part));
  return result.data;
}

/** The JSON body read by jsonBody(), parsed with its schema; a 400 naming each bad field. */
export const body = <Schema extends z.ZodType>(schema: Schema, req: Request): z.infer<Schema> =>
  parse(schema, req.body, "body");

/**
 * The query parameters `schema` knows, each given at most once (which of two would win depends
 * on the framework); the others are ignored.
 */
export function query<Schema extends z.ZodObject>(schema: Schema, req: Request): z.infer<Schema> {
  const given = req.query;
  const repeated = Object.keys(schema.shape).filter((name) => Array.isArray(given[name]));
  if (repeated.length > 0) {
    throw invalid(repeated.map((name) => ({ field: `query.${name}`, message: "is given twice" })));
  }
  return parse(schema, given, "query");
}

/** A path id: a UUID, in lower case; anything else is a malformed request (400), not a 404. */
export function pathId(id: string): string {
  if (!UUID.test(id)) throw invalid([{ field: "path.id", message: "must be a UUID" }]);
  return id.toLowerCase();
}
