import { Prisma } from "../../src/generated/prisma/client";
import type { MediaAsset } from "../../src/generated/prisma/client";
import * as Schemas from "../../src/models/media-asset.schemas";
import { listCacheQuery, MediaAssetService } from "../../src/services/media-asset.service";
import { HttpError } from "../../src/utils/errors";
import { escapeLike } from "../../src/utils/like";
import { Metrics } from "../../src/utils/metrics";
import { mockPrisma } from "../mocks/prisma";

const ROW: MediaAsset = {
  id: "6c33cdb3-6ff3-4f7d-b888-791d24270dd8",
  name: "first",
  description: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-02T00:00:00Z"),
  version: 1,
};

function knownError(code: string): Prisma.PrismaClientKnownRequestError {
  return new Prisma.PrismaClientKnownRequestError("failed", { code, clientVersion: "test" });
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
  it("lists a page and its total in one statement, the filter a literal ILIKE", async () => {
    const { prisma, service } = setup();
    prisma.$queryRaw.mockResolvedValue([{ ...ROW, total: 41n }]);
    const query = Schemas.ListQuery.parse({ page: "3", limit: "20", "filter[name]": "50%_\\" });

    const result = await service.list(query);

    expect(result.data).toEqual([
      {
        ...ROW,
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-02T00:00:00.000Z",
      },
    ]);
    expect(result.pagination).toEqual({ page: 3, limit: 20, total: 41, totalPages: 3 });
    expect(prisma.$queryRaw).toHaveBeenCalledTimes(1);
    const statement = sentStatement(prisma.$queryRaw.mock.calls[0]);
    expect(statement.text).toMatch(
      /\(SELECT count\(\*\) FROM "media_assets" WHERE "name" ILIKE \$1\) AS "total"/,
    );
    expect(statement.text).toMatch(/WHERE "name" ILIKE \$2\s+ORDER BY "created_at" DESC, "id"/);
    const pattern = "%50\\%\\_\\\\%";
    expect(statement.values).toEqual([pattern, pattern, 20, 40]);
  });

  it("sorts by the column of the sort field only, in the direction asked", async () => {
    const { prisma, service } = setup();
    prisma.$queryRaw.mockResolvedValue([]);

    await service.list(Schemas.ListQuery.parse({ sort: "updatedAt:asc" }));
    await service.list(Schemas.ListQuery.parse({ sort: "name" }));

    const sorts = prisma.$queryRaw.mock.calls.map(
      (call) => /ORDER BY (.*)\n/.exec(sentStatement(call).text)?.[1],
    );
    expect(sorts).toEqual(['"updated_at" ASC, "id"', '"name" ASC, "id"']);
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

  it("lists 10 newest first by default, ties broken by id", () => {
    expect(Schemas.ListQuery.parse({})).toEqual({
      page: 1,
      limit: 10,
      sort: { field: "createdAt", direction: "desc" },
    });
    expect(Schemas.ListQuery.parse({ sort: "name" }).sort).toEqual({
      field: "name",
      direction: "asc",
    });
  });

  it("escapes LIKE's wildcards and escape character, and nothing else", () => {
    expect(escapeLike("100%_\\é")).toBe("100\\%\\_\\\\é");
  });

  it("raises 404 for an id that does not exist", async () => {
    const { prisma, service } = setup();
    prisma.mediaAsset.findUnique.mockResolvedValue(null);

    await expect(service.get("missing")).rejects.toMatchObject({ status: 404 });
  });

  it("creates and counts a successful business operation", async () => {
    const { prisma, metrics, service } = setup();
    prisma.mediaAsset.create.mockResolvedValue(ROW);

    await expect(service.create({ name: "first" })).resolves.toMatchObject({ id: ROW.id });
    expect(prisma.mediaAsset.create).toHaveBeenCalledWith({
      data: { name: "first", description: null },
    });
    expect(await operations(metrics)).toEqual({ "media_asset_create/success": 1 });
  });

  it("turns a duplicate name into 409 and counts the failed operation", async () => {
    const { prisma, metrics, service } = setup();
    prisma.mediaAsset.create.mockRejectedValue(knownError("P2002"));

    const failure = service.create({ name: "first" });

    await expect(failure).rejects.toBeInstanceOf(HttpError);
    await expect(failure).rejects.toMatchObject({ status: 409, code: "CONFLICT" });
    expect(await operations(metrics)).toEqual({ "media_asset_create/error": 1 });
  });

  it("bumps the version and changes only the given fields on update", async () => {
    const { prisma, metrics, service } = setup();
    prisma.mediaAsset.update.mockResolvedValue({ ...ROW, version: 2 });

    await expect(service.update(ROW.id, { description: "new" })).resolves.toMatchObject({
      version: 2,
    });
    expect(prisma.mediaAsset.update).toHaveBeenCalledWith({
      where: { id: ROW.id },
      data: { description: "new", version: { increment: 1 } },
    });
    expect(await operations(metrics)).toEqual({ "media_asset_update/success": 1 });
  });

  it("resets left-out fields on replace", async () => {
    const { prisma, metrics, service } = setup();
    prisma.mediaAsset.update.mockResolvedValue(ROW);

    await service.replace(ROW.id, { name: "renamed" });

    expect(prisma.mediaAsset.update).toHaveBeenCalledWith({
      where: { id: ROW.id },
      data: { name: "renamed", description: null, version: { increment: 1 } },
    });
    expect(await operations(metrics)).toEqual({ "media_asset_replace/success": 1 });
  });

  it("raises 404 when updating or deleting a record that does not exist", async () => {
    const { prisma, service } = setup();
    prisma.mediaAsset.update.mockRejectedValue(knownError("P2025"));
    prisma.mediaAsset.delete.mockRejectedValue(knownError("P2025"));

    await expect(service.update("gone", { name: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(service.delete("gone")).rejects.toMatchObject({ status: 404 });
  });

  it("lets unexpected database errors through untouched", async () => {
    const { prisma, service } = setup();
    const outage = new Error("connection refused");
    prisma.mediaAsset.delete.mockRejectedValue(outage);
    prisma.mediaAsset.create.mockRejectedValue(knownError("P1001"));

    await expect(service.delete(ROW.id)).rejects.toBe(outage);
    await expect(service.create({ name: "x" })).rejects.toBeInstanceOf(
      Prisma.PrismaClientKnownRequestError,
    );
  });
});

describe("listCacheQuery", () => {
  const key = (query: Record<string, string>) => listCacheQuery(Schemas.ListQuery.parse(query));

  it("names page, limit and sort as validated, defaults filled in, in that order", () => {
    expect(key({})).toBe("page=1&limit=10&sort=createdAt:desc");
    expect(key({ sort: "name", limit: "5", page: "2" })).toBe("page=2&limit=5&sort=name:asc");
  });

  it("adds the name filter last, only when given, percent-encoded", () => {
    expect(key({ "filter[name]": "Cat & Dog's (1)*", sort: "updatedAt:desc" })).toBe(
      "page=1&limit=10&sort=updatedAt:desc&filter[name]=Cat%20%26%20Dog%27s%20%281%29%2A",
    );
  });
});
