/**
 * Jest configuration (Visiobook guidelines 4.1): TypeScript through ts-jest, coverage gate at 80%.
 * Unit tests need nothing; integration and contract tests (tests/contract: the real app against
 * api/openapi.json) need the PostgreSQL database in DATABASE_URL.
 * `npm test` starts Node with --experimental-vm-modules: the Prisma 7 client loads its query
 * compiler with a dynamic import(), which Jest's sandbox only allows with that flag.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  setupFiles: ["<rootDir>/tests/setup-env.ts"],
  clearMocks: true,
  // The generated Prisma client imports its TypeScript files by their compiled `.js` names.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  collectCoverageFrom: [
    "src/**/*.ts",
    // The process entry points only wire the app (or the token command) to the process; tests
    // import what they run.
    "!src/server.ts",
    "!src/dev-token.ts",
    "!src/generated/**",
  ],
  coverageReporters: ["text-summary", "json-summary", "lcov"],
  coverageThreshold: {
    global: { branches: 80, functions: 80, lines: 80, statements: 80 },
  },
};
