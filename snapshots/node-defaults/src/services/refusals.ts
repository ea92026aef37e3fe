import type { Prisma } from "../generated/prisma/client";
import { conflict, type HttpError } from "../utils/errors";

/** A resource's constraints and the write PostgreSQL refused, as the API tells it. */
export interface Write {
  /** The item, as messages name it: book. */
  item: string;
  /** The row written, for an update or a delete. */
  id?: string | undefined;
  /** The request's body, whose values the messages quote. */
  body: Record<string, unknown>;
  /** The unique constraints: each one's field, as the API names it. */
  unique: Record<string, string>;
  /** The foreign keys: each one's field and the item it refers to. */
  references: Record<string, { field: string; target: string }>;
}

/**
 * The 409 of a write PostgreSQL refused for the data it holds: a unique value taken, a
 * reference to no row, or a delete of a row others refer to. Undefined for any other failure.
 */
export function refusal(
  error: Prisma.PrismaClientKnownRequestError,
  write: Write,
): HttpError | undefined {
  const constraint = constraintOf(error);
  if (error.code === "P2002" && constraint !== undefined && constraint in write.unique) {
    const field = write.unique[constraint] ?? "";
    const holder = field === "name" ? "named" : `with ${field}`;
    return conflict(`a ${write.item} ${holder} '${sent(write.body[field])}' already exists`);
  }
  if (error.code !== "P2003") return undefined;
  const reference = constraint === undefined ? undefined : write.references[constraint];
  if (reference !== undefined && reference.field in write.body) {
    const value = sent(write.body[reference.field]).toLowerCase();
    const problem = {
      field: `body.${reference.field}`,
      message: `must be the id of an existing ${reference.target}`,
    };
    return conflict(`no ${reference.target} '${value}'`, [problem]);
  }
  if (write.id !== undefined) {
    const referrers = tableOf(error)?.replaceAll("_", "-") ?? "other rows";
    return conflict(`${write.item} '${write.id}' is referred to by ${referrers}`);
  }
  return undefined;
}

/** A body's value as the client wrote it. */
function sent(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/** The name of the constraint PostgreSQL reported, from the driver adapter's error. */
function constraintOf(error: Prisma.PrismaClientKnownRequestError): string | undefined {
  const message = adapterCause(error)?.originalMessage ?? "";
  return /constraint "([^"]+)"/.exec(message)?.[1];
}

/** The table PostgreSQL reported a refused delete on: the one that refers to the row. */
function tableOf(error: Prisma.PrismaClientKnownRequestError): string | undefined {
  const message = adapterCause(error)?.originalMessage ?? "";
  return /on table "([^"]+)"\s*$/.exec(message)?.[1];
}

/** The part of a Prisma error's meta the pg driver adapter fills: PostgreSQL's own message. */
interface AdapterMeta {
  driverAdapterError?: { cause?: { originalMessage?: string } };
}

function adapterCause(
  error: Prisma.PrismaClientKnownRequestError,
): { originalMessage?: string } | undefined {
  return (error.meta as AdapterMeta | undefined)?.driverAdapterError?.cause;
}
