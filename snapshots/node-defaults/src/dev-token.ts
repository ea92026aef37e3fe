import { existsSync } from "node:fs";

import { devToken } from "./utils/dev-token";

// `npm run --silent dev-token -- [--sub NAME] [--roles LIST] [--expires 1h]`: reads .env as
// the server does (a variable set in the environment wins), then prints a development token.
if (existsSync(".env")) process.loadEnvFile(".env");
const result = devToken(process.argv.slice(2), process.env);
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
