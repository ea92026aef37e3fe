import express from "express";
import jwt from "jsonwebtoken";
import request from "supertest";

import { DELETE_ROLES, requireRole, WRITE_ROLES } from "../../src/middleware/authorize";
import { errorHandler } from "../../src/middleware/errors";
import {
  accessTokenKey,
  createAccessToken,
  verifyAccessToken,
  type Principal,
} from "../../src/utils/tokens";
import { badTokens, silentLogger, TEST_SECRET } from "../helpers";

const KEY = accessTokenKey(TEST_SECRET);
const SETTINGS = { secret: TEST_SECRET, lifetimeMs: 60_000, rolesClaim: "roles" };

/** The principal of a token for user-1 carrying `claims`, read with the roles in `rolesClaim`. */
function principalOf(claims: object, rolesClaim = "roles") {
  const payload: jwt.JwtPayload = { sub: "user-1", exp: Math.floor(Date.now() / 1000) + 60 };
  const token = jwt.sign({ ...payload, ...claims }, TEST_SECRET);
  return verifyAccessToken(token, KEY, rolesClaim);
}

describe("access tokens", () => {
  it("round-trips the subject and the roles of a token signed with the secret", () => {
    const token = createAccessToken("user-1", SETTINGS, ["editor", "admin"]);
    expect(verifyAccessToken(token, KEY, "roles")).toEqual({
      subject: "user-1",
      roles: new Set(["editor", "admin"]),
    });
  });

  it("leaves the roles claim out when given no roles, and puts it under the configured name", () => {
    const claims = (token: string) => jwt.decode(token) as jwt.JwtPayload;
    expect(claims(createAccessToken("user-1", SETTINGS))).not.toHaveProperty("roles");
    const grouped = createAccessToken("user-1", { ...SETTINGS, rolesClaim: "groups" }, ["admin"]);
    expect(claims(grouped)).toMatchObject({ groups: ["admin"] });
    expect(claims(grouped)).not.toHaveProperty("roles");
  });

  it("refuses every token that breaks a rule of the contract", () => {
    for (const [reason, header] of Object.entries(badTokens())) {
      const token = header.replace(/^Bearer /, "");
      expect({ reason, principal: verifyAccessToken(token, KEY, "roles") }).toEqual({
        reason,
        principal: undefined,
      });
    }
  });
});

describe("the roles claim", () => {
  const rolesOf = (claims: object, rolesClaim?: string) => principalOf(claims, rolesClaim)?.roles;

  it("grants the names of a JSON array of strings, exactly as written", () => {
    expect(rolesOf({ roles: ["editor", "Admin"] })).toEqual(new Set(["editor", "Admin"]));
    expect(rolesOf({ roles: [] })).toEqual(new Set());
  });

  it("grants the names of a string separated by spaces, as OAuth's scope", () => {
    expect(rolesOf({ roles: "editor" })).toEqual(new Set(["editor"]));
    expect(rolesOf({ roles: "  viewer   editor " })).toEqual(new Set(["viewer", "editor"]));
    expect(rolesOf({ roles: "" })).toEqual(new Set());
  });

  it("grants no role when the token has no such claim", () => {
    expect(rolesOf({})).toEqual(new Set());
    // Not what every object inherits under that name either.
    expect(rolesOf({}, "constructor")).toEqual(new Set());
    expect(rolesOf({}, "__proto__")).toEqual(new Set());
  });

  it.each([
    ["a number", 7],
    ["a boolean", true],
    ["null", null],
    ["an object", { editor: true }],
    ["an array holding a number", ["editor", 1]],
    ["an array holding an array", [["editor"]]],
  ])("makes the token invalid when it is %s", (_shape, value) => {
    expect(principalOf({ roles: value })).toBeUndefined();
  });

  it("is read from the claim JWT_ROLES_CLAIM names, and only that one", () => {
    expect(rolesOf({ groups: "editor", roles: ["admin"] }, "groups")).toEqual(new Set(["editor"]));
    expect(rolesOf({ roles: ["admin"] }, "groups")).toEqual(new Set());
    expect(principalOf({ groups: 7 }, "groups")).toBeUndefined();
  });
});

describe("requireRole", () => {
  /** The answer of a route that requires one of `roles`, to a request made by `principal`. */
  function answer(roles: readonly string[], principal?: Principal) {
    const app = express();
    app.get(
      "/",
      (req, _res, next) => {
        req.principal = principal; // as authenticate would have
        next();
      },
      requireRole(roles),
      (_req, res) => {
        res.status(204).end();
      },
    );
    app.use(errorHandler(silentLogger()));
    return request(app).get("/");
  }
  const caller = (...roles: string[]): Principal => ({ subject: "user-1", roles: new Set(roles) });

  it("lets on a caller holding any one of the roles", async () => {
    expect((await answer(WRITE_ROLES, caller("editor"))).status).toBe(204);
    expect((await answer(WRITE_ROLES, caller("viewer", "admin"))).status).toBe(204);
    expect((await answer(DELETE_ROLES, caller("admin"))).status).toBe(204);
  });

  it("refuses anyone else with 403, naming the roles in their order", async () => {
    for (const [roles, principal, message] of [
      [WRITE_ROLES, caller(), "requires the role editor or admin"],
      [WRITE_ROLES, caller("Editor"), "requires the role editor or admin"],
      [DELETE_ROLES, caller("editor"), "requires the role admin"],
      // authenticate did not run: no principal, so no role.
      [DELETE_ROLES, undefined, "requires the role admin"],
    ] as const) {
      const refused = await answer(roles, principal);
      expect(refused.status).toBe(403);
      expect(refused.headers["www-authenticate"]).toBe('Bearer error="insufficient_scope"');
      expect(refused.body).toMatchObject({ error: { code: "FORBIDDEN", message } });
    }
  });
});
