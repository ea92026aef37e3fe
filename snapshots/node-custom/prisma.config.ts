// Prisma CLI configuration (Prisma 7): where the schema and migrations are, and which database
// `prisma migrate` talks to. The application connects through src/config/database.ts.
import { existsSync } from "node:fs";
import { defineConfig } from "prisma/config";

if (existsSync(".env")) process.loadEnvFile(".env");

export default defineConfig({
  // The client, the database and every model (a relation names both of its models).
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // `prisma generate` needs no database, so an unset DATABASE_URL only fails the commands that do.
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
