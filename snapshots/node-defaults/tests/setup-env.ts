// Tests see only the configuration they build themselves (tests/helpers.ts), never a local .env.
process.env.NODE_ENV = "test";
