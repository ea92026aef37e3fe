import { Prisma } from "../generated/prisma/client";
import type { MediaAsset, PrismaClient } from "../generated/prisma/client";
import type * as Schemas from "../models/media-asset.schemas";
import type { Cache } from "../utils/cache";
import { notFound } from "../utils/errors";
import { escapeLike } from "../utils/like";
import type { Metrics } from "../utils/metrics";
import { paginate } from "../utils/pagination";
import { percentEncoded } from "../utils/percent";
import { refusal } from "./refusals";

const ITEM = "media-asset";
// Business operations are counted as <operation>_<verb> (guidelines 5.3).
const OPERATION = "media_asset";
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
    media_assets_name_key: "name",
  },
  references: {},
};

/** A row of the list's statement: the media-asset and the number of rows matching the filters. */
type ListRow = MediaAsset & { total: bigint };

/** Business rules of media-assets; the controller only translates HTTP. */
export class MediaAssetService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly metrics: Metrics,
    // Reads are served from it when it has them; every successful write invalidates it.
    private readonly cache?: Cache,
  ) {}

  async list(query: Schemas.ListQuery): Promise<Schemas.Page> {
    // The cached page holds this resource's rows only: other resources' writes do not reach it.
    const cached = await this.cache?.getPage<Schemas.Page>(listCacheQuery(query));
    if (cached?.hit === true) return cached.value;
    const page = await this.listFromDatabase(query);
    if (cached?.key !== undefined) await this.cache?.set(cached.key, page);
    return page;
  }

  private async listFromDatabase(query: Schemas.ListQuery): Promise<Schemas.Page> {
    const where = matching(query);
    const offset = (query.page - 1) * query.limit;
    // One statement, one snapshot, for the page and the total: each row carries the count of
    // matching rows (a subquery PostgreSQL runs once; a window count would make it keep every
    // matching row, not just the page). Read-only, so no transaction around it.
    // The id breaks ties, so pages never overlap when sort values are equal.
    const rows = await this.prisma.$queryRaw<ListRow[]>`
      SELECT "id", "name", "description", "created_at" AS "createdAt",
        "updated_at" AS "updatedAt", "version",
        (SELECT count(*) FROM "media_assets" ${where}) AS "total"
      FROM "media_assets" ${where}
      ORDER BY ${SORT_COLUMNS[query.sort.field]} ${DIRECTIONS[query.sort.direction]}, "id"
      LIMIT ${query.limit} OFFSET ${offset}`;
    let total = rows[0]?.total;
    if (total === undefined && offset > 0) {
      // A page past the end has no row to carry the total: count the matching rows alone.
      const [counted] = await this.prisma.$queryRaw<{ total: bigint }[]>`
        SELECT count(*) AS "total" FROM "media_assets" ${where}`;
      total = counted?.total;
    }
    return {
      data: rows.map(toBody),
      pagination: paginate(query.page, query.limit, Number(total ?? 0)),
    };
  }

  async get(id: string): Promise<Schemas.Read> {
    const cached = await this.cache?.getItem<Schemas.Read>(id);
    if (cached?.hit === true) return cached.value;
    const row = await this.prisma.mediaAsset.findUnique({ where: { id } });
    if (row === null) throw missing(id);
    const item = toBody(row);
    // Only found items are cached: a 404 is read again each time.
    if (cached?.key !== undefined) await this.cache?.set(cached.key, item);
    return item;
  }

  async create(data: Schemas.Input): Promise<Schemas.Read> {
    return this.metrics.track(`${OPERATION}_create`, async () => {
      const creation = this.prisma.mediaAsset.create({ data });
      const item = toBody(await this.write(creation, data));
      await this.cache?.invalidate(item.id);
      return item;
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
      const deletion = this.prisma.mediaAsset.delete({ where: { id } });
      await this.write(deletion, {}, id);
      await this.cache?.invalidate(id);
    });
  }

  private async change(id: string, data: Schemas.Patch): Promise<Schemas.Read> {
    const update = this.prisma.mediaAsset.update({
      where: { id },
      // Every write bumps the version, even one that changes nothing (guidelines 2.1); Prisma
      // sets updatedAt (@updatedAt). A field left out (undefined) is not written.
      data: { ...data, version: { increment: 1 } },
    });
    const item = toBody(await this.write(update, data, id));
    await this.cache?.invalidate(id);
    return item;
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

/**
 * The list's `<query>` in its cache keys (docs/contract.md, Cache): page, limit, sort and each
 * filter given, as validated (defaults filled in), in the contract's order, each filter's text
 * percent-encoded. (Not include: the cached page holds this resource's rows only.)
 */
export function listCacheQuery(query: Schemas.ListQuery): string {
  const parts = [
    `page=${query.page}`,
    `limit=${query.limit}`,
    `sort=${query.sort.field}:${query.sort.direction}`,
  ];
  if (query["filter[name]"] !== undefined) {
    parts.push(`filter[name]=${percentEncoded(query["filter[name]"])}`);
  }
  return parts.join("&");
}

export function toBody(row: MediaAsset): Schemas.Read {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}
