import jwt from "jsonwebtoken";

import { hashPassword, verifyPassword } from "../../src/utils/password";
import { createAccessToken, verifyAccessToken } from "../../src/utils/tokens";

const SECRET = "unit-secret-that-is-at-least-32-characters";

describe("access tokens", () => {
  it("round-trips the subject of a token signed with the secret", () => {
    const token = createAccessToken("user-1", { secret: SECRET, expiresIn: "1m" });
    expect(verifyAccessToken(token, SECRET)).toEqual({ subject: "user-1" });
  });

  it("refuses a wrong secret, an expired token, another algorithm and a missing subject", () => {
    const token = createAccessToken("user-1", { secret: SECRET, expiresIn: "1m" });
    expect(verifyAccessToken(token, `${SECRET}-other`)).toBeUndefined();

    const expired = jwt.sign({ sub: "user-1", exp: Math.floor(Date.now() / 1000) - 60 }, SECRET);
    expect(verifyAccessToken(expired, SECRET)).toBeUndefined();

    const hs512 = jwt.sign({ sub: "user-1" }, SECRET, { algorithm: "HS512" });
    expect(verifyAccessToken(hs512, SECRET)).toBeUndefined();

    const anonymous = jwt.sign({ role: "admin" }, SECRET);
    expect(verifyAccessToken(anonymous, SECRET)).toBeUndefined();
  });
});

describe("passwords", () => {
  it("verifies the right password against its bcrypt hash and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse", 4);
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    await expect(verifyPassword("correct horse", hash)).resolves.toBe(true);
    await expect(verifyPassword("wrong horse", hash)).resolves.toBe(false);
  });
});
