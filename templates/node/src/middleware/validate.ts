import type { Request } from "express";
import type { z } from "zod";

import { badRequest } from "../utils/errors";

/** Parses a request part with its Zod schema; a 400 naming each bad field otherwise. */
export function parse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  part: "body" | "query" | "params",
): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({
      field: [part, ...issue.path.map(String)].join("."),
      message: issue.message,
    }));
    throw badRequest(`invalid request ${part}`, details);
  }
  return result.data;
}

export const body = <Schema extends z.ZodType>(schema: Schema, req: Request): z.infer<Schema> =>
  parse(schema, req.body, "body");

export const query = <Schema extends z.ZodType>(schema: Schema, req: Request): z.infer<Schema> =>
  parse(schema, req.query, "query");
