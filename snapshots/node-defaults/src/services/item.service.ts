import { Prisma } from "../generated/prisma/client";
import type { Item, PrismaClient } from "../generated/prisma/client";
import type * as Schemas from "../models/item.schemas";
import { conflict, notFound } from "../utils/errors";
import { escapeLike } from "../utils/like";
import type { Metrics } from "../utils/metrics";
import { paginate } from "../utils/pagination";

const ITEM = "item";
// Business operations are counted as <operation>_<verb> (guidelines 5.3).
const OPERATION = "item";
// Prisma's codes: unique constraint violated, record to update or delete not found.
const UNIQUE_VIOLATION = "P2002";
const RECORD_NOT_FOUND = "P2025";
// The only texts the list puts into its SQL besides parameters: one per sort field and direction.
const SORT_COLUMNS = {
  createdAt: Prisma.raw('"created_at"'),
  updatedAt: Prisma.raw('"updated_at"'),
  name: Prisma.raw('"name"'),
} satisfies Record<Schemas.ListQuery["sort"]["field"], Prisma.Sql>;
const DIRECTIONS = { asc: Prisma.raw("ASC"), desc: Prisma.raw("DESC") };

/** A row of the list's statement: the item and the number of rows matching the filter. */
type ListRow = Item & { total: bigint };

/** Business rules of items; the controller only translates HTTP. */
export class ItemService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly metrics: Metrics,
  ) {}

  async list(query: Schemas.ListQuery): Promise<Schemas.Page> {
    const nameFilter = query["filter[name]"];
    // ILIKE with every character of the filter literal (escapeLike), as the contract says.
    const where =
      nameFilter === undefined
        ? Prisma.empty
        : Prisma.sql`WHERE "name" ILIKE ${`%${escapeLike(nameFilter)}%`}`;
    const offset = (query.page - 1) * query.limit;
    // One statement, one snapshot, for the page and the total: each row carries the count of
    // matching rows (a subquery PostgreSQL runs once; a window count would make it keep every
    // matching row, not just the page). Read-only, so no transaction around it.
    // The id breaks ties, so pages never overlap when sort values are equal.
    const rows = await this.prisma.$queryRaw<ListRow[]>`
      SELECT "id", "name", "description", "created_at" AS "createdAt",
        "updated_at" AS "updatedAt", "version",
        (SELECT count(*) FROM "items" ${where}) AS "total"
      FROM "items" ${where}
      ORDER BY ${SORT_COLUMNS[query.sort.field]} ${DIRECTIONS[query.sort.direction]}, "id"
      LIMIT ${query.limit} OFFSET ${offset}`;
    let total = rows[0]?.total;
    if (total === undefined && offset > 0) {
      // A page past the end has no row to carry the total: count the matching rows alone.
      const [counted] = await this.prisma.$queryRaw<{ total: bigint }[]>`
        SELECT count(*) AS "total" FROM "items" ${where}`;
      total = counted?.total;
    }
    return {
      data: rows.map(toBody),
      pagination: paginate(query.page, query.limit, Number(total ?? 0)),
    };
  }

  async get(id: string): Promise<Schemas.Read> {
    const row = await this.prisma.item.findUnique({ where: { id } });
    if (row === null) throw missing(id);
    return toBody(row);
  }

  async create(data: Schemas.Input): Promise<Schemas.Read> {
    return this.metrics.track(`${OPERATION}_create`, async () => {
      const creation = this.prisma.item.create({
        data: { name: data.name, description: data.description ?? null },
      });
      return toBody(await this.write(creation, data.name));
    });
  }

  /** PUT: every field is set; those left out go back to their defaults. */
  async replace(id: string, data: Schemas.Input): Promise<Schemas.Read> {
    return this.metrics.track(`${OPERATION}_replace`, async () => {
      const changes = { name: data.name, description: data.description ?? null };
      return this.change(id, changes, data.name);
    });
  }

  /** PATCH: only the fields given change. */
  async update(id: string, data: Schemas.Patch): Promise<Schemas.Read> {
    return this.metrics.track(`${OPERATION}_update`, async () => {
      const changes: Prisma.ItemUpdateInput = {};
      if (data.name !== undefined) changes.name = data.name;
      if (data.description !== undefined) changes.description = data.description;
      return this.change(id, changes, data.name);
    });
  }

  async delete(id: string): Promise<void> {
    await this.metrics.track(`${OPERATION}_delete`, async () => {
      const deletion = this.prisma.item.delete({ where: { id } });
      await this.write(deletion, undefined, id);
    });
  }

  private async change(
    id: string,
    changes: Prisma.ItemUpdateInput,
    name: string | undefined,
  ): Promise<Schemas.Read> {
    const update = this.prisma.item.update({
      where: { id },
      // Every write bumps the version, even one that changes nothing (guidelines 2.1); Prisma
      // sets updatedAt (@updatedAt).
      data: { ...changes, version: { increment: 1 } },
    });
    return toBody(await this.write(update, name, id));
  }

  /** Maps Prisma's known failures to API errors: duplicate name 409, absent record 404. */
  private async write<T>(operation: Promise<T>, name?: string, id?: string): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError) {
        if (error.code === UNIQUE_VIOLATION) {
          throw conflict(`a ${ITEM} named '${name ?? ""}' already exists`);
        }
        if (error.code === RECORD_NOT_FOUND && id !== undefined) throw missing(id);
      }
      throw error;
    }
  }
}

function missing(id: string): Error {
  return notFound(`${ITEM} '${id}' not found`);
}

export function toBody(row: Item): Schemas.Read {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}
