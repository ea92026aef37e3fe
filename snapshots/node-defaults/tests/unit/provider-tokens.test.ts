import { generateKeyPairSync } from "node:crypto";

import express from "express";
import jwt from "jsonwebtoken";
import request from "supertest";

import { identifyCaller, requireAuthentication } from "../../src/middleware/authenticate";
import { errorHandler } from "../../src/middleware/errors";
import { Metrics } from "../../src/utils/metrics";
import { SigningKeys } from "../../src/utils/signing-keys";
import {
  accessTokenKey,
  createAccessToken,
  SIGNING_KEYS_UNAVAILABLE,
  verifyAnyAccessToken,
  type IdentityProvider,
} from "../../src/utils/tokens";
import { silentLogger, TEST_SECRET } from "../helpers";
import { AUDIENCE, ISSUER, KeySetServer, ProviderKey, providerClaims } from "../identity-provider";

const RSA = ProviderKey.rsa("rsa-1");
const EC = ProviderKey.ec("ec-1");
const SMALL_RSA = ProviderKey.rsa("rsa-1024", 1024);
const KEY = accessTokenKey(TEST_SECRET);
const OWN_TOKEN = createAccessToken(
  "service-a",
  { secret: TEST_SECRET, lifetimeMs: 60_000, rolesClaim: "roles" },
  ["admin"],
);

let server: KeySetServer;
let provider: IdentityProvider;

beforeEach(async () => {
  server = await KeySetServer.start([RSA, EC, SMALL_RSA]);
  provider = {
    keys: new SigningKeys(server.url, new Metrics(), silentLogger()),
    issuer: ISSUER,
    audience: AUDIENCE,
  };
});

afterEach(async () => {
  await server.close();
});

/** The principal of `token` for a service with the identity provider, or without any (`null`). */
const verify = (token: string, withProvider: IdentityProvider | null = provider) =>
  verifyAnyAccessToken(token, {
    key: KEY,
    rolesClaim: "roles",
    provider: withProvider ?? undefined,
  });

describe("a provider's token", () => {
  it("is verified with the key of the set its kid names, RS256 or ES256", async () => {
    expect(await verify(RSA.sign(providerClaims()))).toEqual({
      subject: "user-1",
      roles: new Set(["editor"]),
    });
    expect(await verify(EC.sign(providerClaims({ roles: "editor admin" })))).toEqual({
      subject: "user-1",
      roles: new Set(["editor", "admin"]),
    });
    expect(server.fetches).toBe(1);
  });

  it("is accepted with aud the audience itself, or an array holding it", async () => {
    expect(await verify(RSA.sign(providerClaims({ aud: AUDIENCE })))).toBeDefined();
    expect(await verify(RSA.sign(providerClaims({ aud: ["account", AUDIENCE] })))).toBeDefined();
  });

  it.each([
    ["another issuer", () => RSA.sign(providerClaims({ iss: "https://other.example.test" }))],
    ["no issuer", () => RSA.sign(providerClaims({ iss: undefined }))],
    ["another audience", () => RSA.sign(providerClaims({ aud: "billing-service" }))],
    ["an audience array without it", () => RSA.sign(providerClaims({ aud: ["account"] }))],
    ["no audience", () => RSA.sign(providerClaims({ aud: undefined }))],
    ["no kid", () => RSA.sign(providerClaims(), { kid: undefined })],
    ["an empty kid", () => RSA.sign(providerClaims(), { kid: "" })],
    ["a kid the set lacks", () => RSA.sign(providerClaims(), { kid: "rsa-9" })],
    ["ES256 naming the RSA key", () => EC.sign(providerClaims(), { kid: "rsa-1" })],
    ["RS256 naming the EC key", () => RSA.sign(providerClaims(), { kid: "ec-1" })],
    ["a forged signature", () => ProviderKey.rsa("rsa-1").sign(providerClaims())],
    ["a key under 2048 bits", () => SMALL_RSA.sign(providerClaims())],
    ["expired", () => RSA.sign(providerClaims({ exp: Math.floor(Date.now() / 1000) - 10 }))],
    ["no exp", () => RSA.sign(providerClaims({ exp: undefined }))],
    ["no sub", () => RSA.sign(providerClaims({ sub: undefined }))],
    ["roles a number", () => RSA.sign(providerClaims({ roles: 7 }))],
    ["HS256 with the provider's issuer", () => jwt.sign(providerClaims(), `${TEST_SECRET}-x`)],
  ])("is refused with %s", async (_case, token) => {
    expect(await verify(token())).toBeUndefined();
  });

  it("is refused with an algorithm other than HS256, RS256 and ES256", async () => {
    const claims = providerClaims();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (const algorithm of ["RS384", "PS256"] as const) {
      expect(await verify(jwt.sign(claims, privateKey, { algorithm, keyid: "rsa-1" }))).toBe(
        undefined,
      );
    }
    expect(await verify(jwt.sign(claims, TEST_SECRET, { algorithm: "HS384" }))).toBeUndefined();
    expect(server.fetches).toBe(0);
  });

  it("is refused without JWT_JWKS_URL, and no key set is fetched", async () => {
    expect(await verify(RSA.sign(providerClaims()), null)).toBeUndefined();
    expect(server.fetches).toBe(0);
  });

  it("whose key cannot be fetched is told apart from a bad one", async () => {
    server.answer = (_req, res) => res.writeHead(500).end();
    expect(await verify(RSA.sign(providerClaims()))).toBe(SIGNING_KEYS_UNAVAILABLE);
  });

  it("leaves the service's own tokens to JWT_SECRET, without fetching the set", async () => {
    expect(await verify(OWN_TOKEN)).toEqual({ subject: "service-a", roles: new Set(["admin"]) });
    expect(await verify("not-a-jwt")).toBeUndefined();
    const header = Buffer.from('{"alg":"RS256","typ":"JWT","kid":"rsa-1"}').toString("base64url");
    const notJson = Buffer.from("not JSON").toString("base64url");
    expect(await verify(`${header}.${notJson}.c2ln`)).toBeUndefined();
    expect(server.fetches).toBe(0);
  });
});

describe("identifyCaller with an identity provider", () => {
  function app(withProvider: IdentityProvider = provider) {
    const api = express();
    api.get(
      "/",
      identifyCaller({ secret: TEST_SECRET, rolesClaim: "roles", provider: withProvider }),
      requireAuthentication,
      (req, res) => {
        res.json({ subject: req.principal?.subject });
      },
    );
    api.use(errorHandler(silentLogger()));
    return api;
  }
  const get = (token: string, api = app()) =>
    request(api).get("/").set("Authorization", `Bearer ${token}`);

  it("lets on the provider's tokens and the service's own", async () => {
    expect((await get(RSA.sign(providerClaims()))).body).toEqual({ subject: "user-1" });
    expect((await get(OWN_TOKEN)).body).toEqual({ subject: "service-a" });
  });

  it("answers 503 while the key set cannot be fetched, then 401 for an unknown kid", async () => {
    server.answer = (_req, res) => res.writeHead(500).end();
    const api = app();
    const unavailable = await get(RSA.sign(providerClaims()), api);
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: "signing keys are unavailable",
    });
    expect(unavailable.headers["retry-after"]).toBeUndefined();
    expect(unavailable.headers["www-authenticate"]).toBeUndefined();
    // The service's own tokens do not need the provider.
    expect((await get(OWN_TOKEN, api)).status).toBe(200);
  });

  it("answers 401 invalid_token for a kid the fetched set lacks", async () => {
    const refused = await get(RSA.sign(providerClaims(), { kid: "rsa-9" }));
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    expect(refused.body.error).toMatchObject({
      code: "UNAUTHORIZED",
      message: "invalid bearer token",
    });
  });

  it("hands an unexpected failure of the key set to the error handler", async () => {
    const broken: IdentityProvider = {
      ...provider,
      keys: { find: () => Promise.reject(new Error("broken")) } as unknown as SigningKeys,
    };
    const answer = await get(RSA.sign(providerClaims()), app(broken));
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe("INTERNAL_ERROR");
  });
});
