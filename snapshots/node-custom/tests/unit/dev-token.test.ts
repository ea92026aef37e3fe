import jwt from "jsonwebtoken";

import { DEV_TOKEN_USAGE, devToken } from "../../src/utils/dev-token";
import { accessTokenKey, verifyAccessToken } from "../../src/utils/tokens";

const SECRET = "a-dev-secret-with-at-least-32-characters";
const ENV = {
  DATABASE_URL: "postgresql://db/app",
  REDIS_URL: "redis://cache:6379/0",
  JWT_SECRET: SECRET,
};

function claimsOf(stdout: string, secret = SECRET): jwt.JwtPayload {
  return jwt.verify(stdout.trim(), secret, { algorithms: ["HS256"] }) as jwt.JwtPayload;
}

describe("devToken", () => {
  it("prints a token the service accepts, for sub dev with role admin, valid for an hour", () => {
    const result = devToken([], ENV);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")).toHaveLength(2);
    expect(verifyAccessToken(result.stdout.trim(), accessTokenKey(SECRET), "roles")).toEqual({
      subject: "dev",
      roles: new Set(["admin"]),
    });
    const claims = claimsOf(result.stdout);
    expect(Object.keys(claims).sort()).toEqual(["exp", "iat", "roles", "sub"]);
    expect(claims.roles).toEqual(["admin"]);
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);
    expect(Math.abs((claims.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("takes --sub and --expires", () => {
    const claims = claimsOf(devToken(["--sub", "alice", "--expires", "2d"], ENV).stdout);
    expect(claims.sub).toBe("alice");
    expect(claims.exp).toBe((claims.iat ?? 0) + 2 * 86_400);
  });

  it("takes --roles as comma-separated names, trimmed, empty ones dropped", () => {
    const rolesOf = (list: string): unknown =>
      claimsOf(devToken(["--roles", list], ENV).stdout).roles;
    expect(rolesOf("editor,admin")).toEqual(["editor", "admin"]);
    expect(rolesOf(" editor , ,Admin,")).toEqual(["editor", "Admin"]);
    expect(rolesOf("")).toEqual([]);
    expect(claimsOf(devToken(["--roles="], ENV).stdout).roles).toEqual([]);
  });

  it("puts the roles under the claim JWT_ROLES_CLAIM names", () => {
    const result = devToken(["--roles", "editor"], { ...ENV, JWT_ROLES_CLAIM: "groups" });
    const claims = claimsOf(result.stdout);
    expect(claims.groups).toEqual(["editor"]);
    expect(claims).not.toHaveProperty("roles");
  });

  it.each([
    [["--roles"], "argument missing"],
    [["--expires", "1w"], "invalid duration"],
    [["--expires", "0s"], "invalid duration"],
    [["--sub", ""], "must not be empty"],
    [["--sub"], "argument missing"],
    [["--bogus"], "Unknown option"],
    [["extra"], "positional"],
  ])("refuses %j with one line on stderr and exit 2", (args, message) => {
    const result = devToken(args, ENV);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^dev-token: [^\n]*\n$/);
    expect(result.stderr).toContain(message);
  });

  it("reports an empty JWT_ROLES_CLAIM as the service's configuration error", () => {
    expect(devToken([], { ...ENV, JWT_ROLES_CLAIM: "" })).toEqual({
      code: 2,
      stdout: "",
      stderr: "invalid configuration: JWT_ROLES_CLAIM must not be empty\n",
    });
  });

  it("reports a short JWT_SECRET as the service's configuration error", () => {
    expect(devToken([], { ...ENV, JWT_SECRET: "short" })).toEqual({
      code: 2,
      stdout: "",
      stderr: "invalid configuration: JWT_SECRET must be at least 32 characters\n",
    });
  });

  it("prints its usage on --help", () => {
    expect(DEV_TOKEN_USAGE).toBe(
      "usage: dev-token [--sub NAME] [--roles LIST] [--expires DURATION]",
    );
    expect(devToken(["--help"], ENV)).toEqual({
      code: 0,
      stdout: `${DEV_TOKEN_USAGE}\n`,
      stderr: "",
    });
  });
});
