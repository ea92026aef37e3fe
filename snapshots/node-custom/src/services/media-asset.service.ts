import { Prisma } from "../generated/prisma/client";
import type { MediaAsset, PrismaClient } from "../generated/prisma/client";
import type * as Schemas from "../models/media-asset.schemas";
import type { Cache } from "../utils/cache";
import { conflict, notFound } from "../utils/errors";
import { escapeLike } from "../utils/like";
import type { Metrics } from "../utils/metrics";
import { paginate } from "../utils/pagination";

const ITEM = "media-asset";
// Business operations are counted as <operation>_<verb> (guidelines 5.3).
const OPERATION = "media_asset";
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

/** A row of the list's statement: the media-asset and the number of rows matching the filter. */
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
    const cached = await this.cache?.getPage<Schemas.Page>(listCacheQuery(query));
    if (cached?.hit === true) return cached.value;
    const page = await this.listFromDatabase(query);
    if (cached?.key !== undefined) await this.cache?.set(cached.key, page);
    return page;
  }

  private async listFromDatabase(query: Schemas.ListQuery): Promise<Schemas.Page> {
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
      const creation = this.prisma.mediaAsset.create({
        data: { name: data.name, description: data.description ?? null },
      });
      const item = toBody(await this.write(creation, data.name));
      await this.cache?.invalidate(item.id);
      return item;
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
      const changes: Prisma.MediaAssetUpdateInput = {};
      if (data.name !== undefined) changes.name = data.name;
      if (data.description !== undefined) changes.description = data.description;
      return this.change(id, changes, data.name);
    });
  }

  async delete(id: string): Promise<void> {
    await this.metrics.track(`${OPERATION}_delete`, async () => {
      const deletion = this.prisma.mediaAsset.delete({ where: { id } });
      await this.write(deletion, undefined, id);
      await this.cache?.invalidate(id);
    });
  }

  private async change(
    id: string,
    changes: Prisma.MediaAssetUpdateInput,
    name: string | undefined,
  ): Promise<Schemas.Read> {
    const update = this.prisma.mediaAsset.update({
      where: { id },
      // Every write bumps the version, even one that changes nothing (guidelines 2.1); Prisma
      // sets updatedAt (@updatedAt).
      data: { ...changes, version: { increment: 1 } },
    });
    const item = toBody(await this.write(update, name, id));
    await this.cache?.invalidate(id);
    return item;
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

/**
 * The list's `<query>` in its cache keys (docs/contract.md, Cache): page, limit, sort and the
 * name filter when given, as validated (defaults filled in), in that order.
 */
export function listCacheQuery(query: Schemas.ListQuery): string {
  const parts = [
    `page=${query.page}`,
    `limit=${query.limit}`,
    `sort=${query.sort.field}:${query.sort.direction}`,
  ];
  const nameFilter = query["filter[name]"];
  if (nameFilter !== undefined) parts.push(`filter[name]=${percentEncoded(nameFilter)}`);
  return parts.join("&");
}

/**
 * Text with every byte but A-Z a-z 0-9 - . _ ~ percent-encoded (RFC 3986), so that no filter's
 * text can pass for another parameter in a page's key.
 */
function percentEncoded(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
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
