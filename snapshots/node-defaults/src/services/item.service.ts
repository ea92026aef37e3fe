import { Prisma } from "../generated/prisma/client";
import type { Item, PrismaClient } from "../generated/prisma/client";
import type * as Schemas from "../models/item.schemas";
import { notFound } from "../utils/errors";
import { escapeLike } from "../utils/like";
import type { Metrics } from "../utils/metrics";
import { paginate } from "../utils/pagination";
import { refusal } from "./refusals";

const ITEM = "item";
// Business operations are counted as <operation>_<verb> (guidelines 5.3).
const OPERATION = "item";
// The only texts the list puts into its SQL besides parameters: one per sort field and direction.
const SORT_COLUMNS = {
  createdAt: Prisma.raw('"created_at"'),
  updatedAt: Prisma.raw('"updated_at"'),
  name: Prisma.raw('"name"'),
} satisfies Record<Schemas.ListQuery["sort"]["field"], Prisma.Sql>;
const DIRECTIONS = { asc: Prisma.raw("ASC"), desc: Prisma.raw("DESC") };
// What PostgreSQL's refusals of a write are about, by constraint: the unique fields and the
// references (Prisma's migrations name them <table>_<column>_key and _fkey).
const KEYS = {
  unique: {
    items_name_key: "name",
  },
  references: {},
};

/** A row of the list's statement: the item and the number of rows matching the filters. */
type ListRow = Item & { total: bigint };

/** Business rules of items; the controller only translates HTTP. */
export class ItemService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly metrics: Metrics,
  ) {}

  async list(query: Schemas.ListQuery): Promise<Schemas.Page> {
    const where = matching(query);
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
      const creation = this.prisma.item.create({ data });
      return toBody(await this.write(creation, data));
    });
  }

  /** PUT: every field is set; those left out go back to their defaults. */
  async replace(id: string, data: Schemas.Input): Promise<Schemas.Read> {
    return this.metrics.track(`${OPERATION}_replace`, async () => this.change(id, data));
  }

  /** PATCH: only the fields given change. */
  async update(id: string, data: Schemas.Patch): Promise<Schemas.Read> {
    return this.metrics.track(`${OPERATION}_update`, async () => this.change(id, data));
  }

  async delete(id: string): Promise<void> {
    await this.metrics.track(`${OPERATION}_delete`, async () => {
      const deletion = this.prisma.item.delete({ where: { id } });
      await this.write(deletion, {}, id);
    });
  }

  private async change(id: string, data: Schemas.Patch): Promise<Schemas.Read> {
    const update = this.prisma.item.update({
      where: { id },
      // Every write bumps the version, even one that changes nothing (guidelines 2.1); Prisma
      // sets updatedAt (@updatedAt). A field left out (undefined) is not written.
      data: { ...data, version: { increment: 1 } },
    });
    return toBody(await this.write(update, data, id));
  }

  /** Maps what PostgreSQL refuses to API errors (services/refusals.ts), and an absent row to 404. */
  private async write<T>(operation: Promise<T>, body: Schemas.Patch, id?: string): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError) {
        const refused = refusal(error, { item: ITEM, id, body, ...KEYS });
        if (refused !== undefined) throw refused;
        if (error.code === "P2025" && id !== undefined) throw missing(id);
      }
      throw error;
    }
  }
}

/** The list's WHERE: each filter given, ANDed; a string field's rows contain the text. */
function matching(query: Schemas.ListQuery): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (query["filter[name]"] !== undefined) {
    conditions.push(Prisma.sql`"name" ILIKE ${`%${escapeLike(query["filter[name]"])}%`}`);
  }
  return conditions.length === 0
    ? Prisma.empty
    : Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`;
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
