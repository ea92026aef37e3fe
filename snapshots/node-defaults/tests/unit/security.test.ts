import { accessTokenKey, createAccessToken, verifyAccessToken } from "../../src/utils/tokens";
import { badTokens, TEST_SECRET } from "../helpers";

describe("access tokens", () => {
  it("round-trips the subject of a token signed with the secret", () => {
    const token = createAccessToken("user-1", { secret: TEST_SECRET, lifetimeMs: 60_000 });
    expect(verifyAccessToken(token, accessTokenKey(TEST_SECRET))).toEqual({ subject: "user-1" });
  });

  it("refuses every token that breaks a rule of the contract", () => {
    for (const [reason, header] of Object.entries(badTokens())) {
      const token = header.replace(/^Bearer /, "");
      expect({ reason, principal: verifyAccessToken(token, accessTokenKey(TEST_SECRET)) }).toEqual({
        reason,
        principal: undefined,
      });
    }
  });
});
