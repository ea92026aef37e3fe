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
  it("prints a token the service accepts, for sub dev, valid for an hour", () => {
    const result = devToken([], ENV);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")).toHaveLength(2);
    expect(verifyAccessToken(result.stdout.trim(), accessTokenKey(SECRET))).toEqual({
      subject: "dev",
    });
    const claims = claimsOf(result.stdout);
    expect(Object.keys(claims).sort()).toEqual(["exp", "iat", "sub"]);
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);
    expect(Math.abs((claims.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("takes --sub and --expires", () => {
    const claims = claimsOf(devToken(["--sub", "alice", "--expires", "2d"], ENV).stdout);
    expect(claims.sub).toBe("alice");
    expect(claims.exp).toBe((claims.iat ?? 0) + 2 * 86_400);
  });

  it.each([
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

  it("reports a short JWT_SECRET as the service's configuration error", () => {
    expect(devToken([], { ...ENV, JWT_SECRET: "short" })).toEqual({
      code: 2,
      stdout: "",
      stderr: "invalid configuration: JWT_SECRET: must be at least 32 characters\n",
    });
  });

  it("prints its usage on --help", () => {
    expect(devToken(["--help"], ENV)).toEqual({
      code: 0,
      stdout: `${DEV_TOKEN_USAGE}\n`,
      stderr: "",
    });
  });
});
