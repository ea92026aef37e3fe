import { mockDeep, type DeepMockProxy } from "jest-mock-extended";

import type { PrismaClient } from "../../src/generated/prisma/client";

/** A Prisma client whose every method is a Jest mock: unit tests script the database's answers. */
export function mockPrisma(): DeepMockProxy<PrismaClient> {
  return mockDeep<PrismaClient>();
}
