import { Prisma } from "../../src/generated/prisma/client";
import type { MediaAsset } from "../../src/generated/prisma/client";
import * as Schemas from "../../src/models/media-asset.schemas";
import { listCacheQuery, MediaAssetService } from "../../src/services/media-asset.service";
import { HttpError } from "../../src/utils/errors";
import { Metrics } from "../../src/utils/metrics";
import { mockPrisma } from "../mocks/prisma";

const ROW: MediaAsset = {
  id: "6c33cdb3-6ff3-4f7d-b888-791d24270dd8",
  name: "sample 1",
  description: "sample 1",
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-02T00:00:00Z"),
  version: 1,
};

/** ROW as clients read it. */
const BODY: Schemas.Read = {
  id: ROW.id,
  name: "sample 1",
  description: "sample 1",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-02T00:00:00.000Z",
  version: 1,
};

/** A valid body of POST and PUT, as the route hands it to the service. */
const INPUT = Schemas.Input.parse({
  name: "sample 1",
  description: "sample 1",
});

/** Prisma's error for a statement PostgreSQL refused, as the pg driver adapter reports it. */
function knownError(code: string, message = ""): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError("failed", {
    code,
    clientVersion: "test",
    meta: { driverAdapterError: { cause: { originalMessage: message } } },
  });
}

function setup() {
  const prisma = mockPrisma();
  const metrics = new Metrics();
  return { prisma, metrics, service: new MediaAssetService(prisma, metrics) };
}

/** business_operations_total, as `<operation>/<status>` -> count. */
async function operations(metrics: Metrics): Promise<Record<string, number>> {
  const counter = await metrics.businessOperations.get();
  return Object.fromEntries(
    counter.values.map((value) => [
      `${value.labels.operation}/${value.labels.status}`,
      value.value,
    ]),
  );
}

/** The SQL text and parameters of a `$queryRaw` call, as Prisma sends them to PostgreSQL. */
function sentStatement(call: unknown[] | undefined): Prisma.Sql {
  const [strings, ...values] = call as [TemplateStringsArray, ...unknown[]];
  return Prisma.sql(strings, ...values);
}

describe("MediaAssetService", () => {
  it("lists a page and its total in one statement, each filter a condition", async () => {
    const { prisma, service } = setup();
    prisma.$queryRaw.mockResolvedValue([{ ...ROW, total: 41n }]);
    const query = Schemas.ListQuery.parse({
      page: "3",
      limit: "20",
      "filter[name]": "50%_\\",
    });

    const result = await service.list(query);

    expect(result.data).toEqual([BODY]);
    expect(result.pagination).toEqual({ page: 3, limit: 20, total: 41, totalPages: 3 });
    expect(prisma.$queryRaw).toHaveBeenCalledTimes(1);
    const statement = sentStatement(prisma.$queryRaw.mock.calls[0]);
    expect(statement.text).toMatch(
      /\(SELECT count\(\*\) FROM "media_assets" (WHERE .*)?\) AS "total"/,
    );
    expect(statement.text).toContain('"name" ILIKE $');
    expect(statement.values.slice(-2)).toEqual([20, 40]);
    expect(statement.values).toContain("%50\\%\\_\\\\%");
  });

  it("sorts by the column of the sort field only, in the direction asked", async () => {
    const { prisma, service } = setup();
    prisma.$queryRaw.mockResolvedValue([]);

    await service.list(Schemas.ListQuery.parse({ sort: "updatedAt:asc" }));
    await service.list(Schemas.ListQuery.parse({ sort: "name:desc" }));

    const sorts = prisma.$queryRaw.mock.calls.map(
      (call) => /ORDER BY (.*)\n/.exec(sentStatement(call).text)?.[1],
    );
    expect(sorts).toEqual(['"updated_at" ASC, "id"', '"name" DESC, "id"']);
  });

  it("counts the matching rows alone only for an empty page past the first", async () => {
    const { prisma, service } = setup();
    prisma.$queryRaw.mockResolvedValueOnce([]).mockResolvedValueOnce([{ total: 5n }]);

    const pastTheEnd = await service.list(Schemas.ListQuery.parse({ page: "9" }));
    expect(pastTheEnd).toEqual({
      data: [],
      pagination: { page: 9, limit: 10, total: 5, totalPages: 1 },
    });
    expect(sentStatement(prisma.$queryRaw.mock.calls[1]).text).toMatch(
      /^\s*SELECT count\(\*\) AS "total" FROM "media_assets"\s*$/,
    );

    prisma.$queryRaw.mockClear();
    prisma.$queryRaw.mockResolvedValueOnce([]);
    const empty = await service.list(Schemas.ListQuery.parse({}));
    expect(empty.pagination).toEqual({ page: 1, limit: 10, total: 0, totalPages: 0 });
    expect(prisma.$queryRaw).toHaveBeenCalledTimes(1);
  });

  it("lists 10 newest first by default", () => {
    expect(Schemas.ListQuery.parse({})).toEqual({
      page: 1,
      limit: 10,
      sort: { field: "createdAt", direction: "desc" },
    });
  });

  it("reads a row as clients read it, and raises 404 for an id that does not exist", async () => {
    const { prisma, service } = setup();
    prisma.mediaAsset.findUnique.mockResolvedValueOnce(ROW).mockResolvedValueOnce(null);

    await expect(service.get(ROW.id)).resolves.toEqual(BODY);
    await expect(service.get("missing")).rejects.toMatchObject({ status: 404 });
  });

  it("creates and counts a successful business operation", async () => {
    const { prisma, metrics, service } = setup();
    prisma.mediaAsset.create.mockResolvedValue(ROW);

    await expect(service.create(INPUT)).resolves.toEqual(BODY);
    expect(prisma.mediaAsset.create).toHaveBeenCalledWith({ data: INPUT });
    expect(await operations(metrics)).toEqual({ "media_asset_create/success": 1 });
  });

  it("turns a name already taken into 409 and counts the failed operation", async () => {
    const { prisma, metrics, service } = setup();
    const refused = `duplicate key value violates unique constraint "media_assets_name_key"`;
    prisma.mediaAsset.create.mockRejectedValue(knownError("P2002", refused));

    const failure = service.create(INPUT);

    await expect(failure).rejects.toBeInstanceOf(HttpError);
    await expect(failure).rejects.toMatchObject({
      status: 409,
      message: "a media-asset named 'sample 1' already exists",
    });
    expect(await operations(metrics)).toEqual({ "media_asset_create/error": 1 });
  });

  it("refuses with 409 to delete a row other rows refer to", async () => {
    const { prisma, service } = setup();
    const refused = `update or delete on table "media_assets" violates foreign key constraint "others_media_asset_id_fkey" on table "other_rows"`;
    prisma.mediaAsset.delete.mockRejectedValue(knownError("P2003", refused));

    await expect(service.delete(ROW.id)).rejects.toMatchObject({
      status: 409,
      message: `media-asset '${ROW.id}' is referred to by other-rows`,
    });
  });

  it("bumps the version and changes only the given fields on update", async () => {
    const { prisma, metrics, service } = setup();
    prisma.mediaAsset.update.mockResolvedValue({ ...ROW, version: 2 });
    const change = Schemas.Patch.parse({ name: "sample 1" });

    await expect(service.update(ROW.id, change)).resolves.toMatchObject({ version: 2 });
    expect(prisma.mediaAsset.update).toHaveBeenCalledWith({
      where: { id: ROW.id },
      data: { ...change, version: { increment: 1 } },
    });
    expect(await operations(metrics)).toEqual({ "media_asset_update/success": 1 });
  });

  it("sets every field on replace", async () => {
    const { prisma, metrics, service } = setup();
    prisma.mediaAsset.update.mockResolvedValue(ROW);

    await service.replace(ROW.id, INPUT);

    expect(prisma.mediaAsset.update).toHaveBeenCalledWith({
      where: { id: ROW.id },
      data: { ...INPUT, version: { increment: 1 } },
    });
    expect(await operations(metrics)).toEqual({ "media_asset_replace/success": 1 });
  });

  it("raises 404 when updating or deleting a record that does not exist", async () => {
    const { prisma, service } = setup();
    prisma.mediaAsset.update.mockRejectedValue(knownError("P2025"));
    prisma.mediaAsset.delete.mockRejectedValue(knownError("P2025"));

    await expect(service.update("gone", {})).rejects.toMatchObject({ status: 404 });
    await expect(service.delete("gone")).rejects.toMatchObject({ status: 404 });
  });

  it("lets unexpected database errors through untouched", async () => {
    const { prisma, service } = setup();
    const outage = new Error("connection refused");
    prisma.mediaAsset.delete.mockRejectedValue(outage);
    prisma.mediaAsset.create.mockRejectedValue(knownError("P1001"));

    await expect(service.delete(ROW.id)).rejects.toBe(outage);
    await expect(service.create(INPUT)).rejects.toBeInstanceOf(
      Prisma.PrismaClientKnownRequestError,
    );
  });
});

describe("listCacheQuery", () => {
  const key = (query: Record<string, string>) => listCacheQuery(Schemas.ListQuery.parse(query));

  it("names page, limit and sort as validated, defaults filled in, in that order", () => {
    expect(key({})).toBe("page=1&limit=10&sort=createdAt:desc");
    expect(key({ sort: "updatedAt", limit: "5", page: "2" })).toBe(
      "page=2&limit=5&sort=updatedAt:asc",
    );
  });

  it("adds each filter given, in the contract's order, percent-encoded", () => {
    const filters = {
      "filter[name]": "50%_\\",
    };
    expect(key(filters)).toBe("page=1&limit=10&sort=createdAt:desc&filter[name]=50%25_%5C");
  });
});
