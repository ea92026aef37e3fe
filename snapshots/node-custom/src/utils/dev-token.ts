import { parseArgs } from "node:util";

import { ConfigError, loadConfig, parseDuration, type Config } from "../config/env";
import { createAccessToken } from "./tokens";

export const DEV_TOKEN_USAGE = "usage: dev-token [--sub NAME] [--roles LIST] [--expires DURATION]";

export interface DevTokenResult {
  /** The exit status: 0, or 2 for a bad option or configuration. */
  code: number;
  stdout: string;
  stderr: string;
}

/** The names of a comma-separated list, spaces trimmed, empty names dropped: "" is none. */
function roleNames(list: string): string[] {
  return list
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

/**
 * `npm run --silent dev-token -- [--sub NAME] [--roles LIST] [--expires 1h]`: a development
 * bearer token signed with the service's own configuration (`env`, which the entry point fills
 * from .env as the server does), carrying `sub` (default dev), the roles (comma-separated, default
 * admin, which may do everything; `--roles ""` may only read) as a JSON array under
 * JWT_ROLES_CLAIM, `iat` and `exp` (default an hour from now). The same command in every
 * Visiobook backend: the token alone on stdout; a bad option or configuration is one line on
 * stderr and exit status 2.
 */
export function devToken(args: string[], env: NodeJS.ProcessEnv): DevTokenResult {
  const fail = (message: string): DevTokenResult => ({
    code: 2,
    stdout: "",
    stderr: `${message}\n`,
  });
  let subject: string;
  let roles: string[];
  let lifetimeMs: number;
  try {
    const { values } = parseArgs({
      args,
      options: {
        sub: { type: "string", default: "dev" },
        roles: { type: "string", default: "admin" },
        expires: { type: "string", default: "1h" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return { code: 0, stdout: `${DEV_TOKEN_USAGE}\n`, stderr: "" };
    if (values.sub === "") throw new Error("--sub must not be empty");
    subject = values.sub;
    roles = roleNames(values.roles);
    lifetimeMs = parseDuration(values.expires);
  } catch (error) {
    return fail(`dev-token: ${(error as Error).message.split("\n")[0] ?? ""}`);
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(error.message);
  }
  const settings = { secret: config.JWT_SECRET, lifetimeMs, rolesClaim: config.JWT_ROLES_CLAIM };
  return { code: 0, stdout: `${createAccessToken(subject, settings, roles)}\n`, stderr: "" };
}
