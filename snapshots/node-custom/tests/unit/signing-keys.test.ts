import {
  FETCH_COOLDOWN_MS,
  KEYS_MAX_AGE_MS,
  MAX_KEY_SET_BYTES,
  SigningKeys,
  usableKeys,
  type KeyLookup,
} from "../../src/utils/signing-keys";
import { Metrics } from "../../src/utils/metrics";
import { captureLogs, samples } from "../helpers";
import { KeySetServer, ProviderKey } from "../identity-provider";

// Generated once: an RSA key pair takes a while.
const RSA = ProviderKey.rsa("rsa-1");
const EC = ProviderKey.ec("ec-1");
const ROTATED = ProviderKey.rsa("rsa-2");

let provider: KeySetServer;
let metrics: Metrics;
let logs: ReturnType<typeof captureLogs>;
/** The key set's clock, in milliseconds: moved on by hand instead of waiting out the cooldown. */
let time: number;
let keys: SigningKeys;

beforeEach(async () => {
  provider = await KeySetServer.start([RSA, EC]);
  metrics = new Metrics();
  logs = captureLogs();
  time = 1_000_000;
  keys = new SigningKeys(provider.url, metrics, logs.logger, () => time);
});

afterEach(async () => {
  await provider.close();
});

async function fetchesCounted(outcome: string): Promise<number> {
  const found = samples(await metrics.registry.metrics(), "jwks_fetches_total");
  return found.find((sample) => sample.labels.outcome === outcome)?.value ?? 0;
}

const algorithmOf = (lookup: KeyLookup) => (typeof lookup === "string" ? lookup : lookup.algorithm);

describe("the provider's key set", () => {
  it("is fetched on first use, not before, and its keys kept", async () => {
    expect(provider.fetches).toBe(0);
    expect(algorithmOf(await keys.find("rsa-1"))).toBe("RS256");
    expect(algorithmOf(await keys.find("ec-1"))).toBe("ES256");
    time += KEYS_MAX_AGE_MS - 1;
    expect(algorithmOf(await keys.find("rsa-1"))).toBe("RS256");
    expect(provider.fetches).toBe(1);
    expect(await fetchesCounted("success")).toBe(1);
    expect(await fetchesCounted("failure")).toBe(0);
  });

  it("is fetched again once its keys are 10 minutes old", async () => {
    await keys.find("rsa-1");
    time += KEYS_MAX_AGE_MS;
    await keys.find("rsa-1");
    expect(provider.fetches).toBe(2);
  });

  it("is fetched again for an unknown kid only once the 30-second cooldown has passed", async () => {
    await keys.find("rsa-1");
    provider.published = [ROTATED, EC];
    expect(await keys.find("rsa-2")).toBe("unknown");
    time += FETCH_COOLDOWN_MS - 1;
    expect(await keys.find("rsa-2")).toBe("unknown");
    expect(provider.fetches).toBe(1);
    time += 1;
    expect(algorithmOf(await keys.find("rsa-2"))).toBe("RS256");
    expect(provider.fetches).toBe(2);
  });

  it("is replaced by each fetch, so a key the provider removed stops verifying", async () => {
    await keys.find("rsa-1");
    provider.published = [ROTATED, EC];
    time += FETCH_COOLDOWN_MS;
    await keys.find("rsa-2");
    expect(await keys.find("rsa-1")).toBe("unknown");
    expect(algorithmOf(await keys.find("ec-1"))).toBe("ES256");
  });

  it("is fetched once for callers arriving together, who all wait for that fetch", async () => {
    const answer = provider.answer;
    provider.answer = (req, res) =>
      setTimeout(() => {
        answer(req, res);
      }, 100);
    const found = await Promise.all(
      ["rsa-1", "ec-1", "rsa-1", "rsa-9", "ec-1"].map((kid) => keys.find(kid)),
    );
    expect(found.map(algorithmOf)).toEqual(["RS256", "ES256", "RS256", "unknown", "ES256"]);
    expect(provider.fetches).toBe(1);
  });

  describe("when the provider cannot be reached", () => {
    beforeEach(() => {
      provider.answer = (_req, res) => res.writeHead(500).end();
    });

    it("answers unavailable, logs the failure and counts it", async () => {
      expect(await keys.find("rsa-1")).toBe("unavailable");
      expect(await fetchesCounted("failure")).toBe(1);
      expect(logs.lines()).toEqual([
        expect.objectContaining({
          level: "warn",
          message: "jwks fetch failed",
          url: provider.url,
          error: "answered HTTP 500",
        }),
      ]);
    });

    it("tries again only after the cooldown, the clock started by the failed attempt", async () => {
      await keys.find("rsa-1");
      provider.answer = (_req, res) => {
        provider.sendJson(res, { keys: [RSA.jwk()] });
      };
      time += FETCH_COOLDOWN_MS - 1;
      expect(await keys.find("rsa-1")).toBe("unavailable");
      expect(provider.fetches).toBe(1);
      time += 1;
      expect(algorithmOf(await keys.find("rsa-1"))).toBe("RS256");
      expect(await fetchesCounted("success")).toBe(1);
      // Fetched now: an unknown kid is a bad token, not an outage.
      expect(await keys.find("rsa-9")).toBe("unknown");
    });

    it("keeps the keys it holds in use, past their 10 minutes", async () => {
      provider.answer = (_req, res) => {
        provider.sendJson(res, { keys: [RSA.jwk()] });
      };
      await keys.find("rsa-1");
      provider.answer = (_req, res) => res.writeHead(503).end();
      time += KEYS_MAX_AGE_MS;
      expect(algorithmOf(await keys.find("rsa-1"))).toBe("RS256");
      expect(provider.fetches).toBe(2);
      expect(await fetchesCounted("failure")).toBe(1);
      expect(await keys.find("ec-1")).toBe("unavailable");
    });
  });

  it.each([
    ["a redirect", 302],
    ["a 204", 204],
  ])("counts %s as a failure, and follows no redirect", async (_case, status) => {
    provider.answer = (req, res) => {
      if (req.url === "/certs") res.writeHead(status, { location: "/elsewhere" }).end();
      else provider.sendJson(res, { keys: [RSA.jwk()] });
    };
    expect(await keys.find("rsa-1")).toBe("unavailable");
    expect(provider.paths).toEqual(["/certs"]);
  });

  it.each([
    ["declares", { "content-length": String(MAX_KEY_SET_BYTES + 1) }],
    ["streams", {}],
  ])("refuses a body that %s more than 1 MiB", async (_case, headers) => {
    provider.answer = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", ...headers });
      // A valid key set, one byte over the cap, sent in two chunks.
      res.write('{"keys":[],"padding":"');
      res.end(`${"x".repeat(MAX_KEY_SET_BYTES - 23)}"}`);
    };
    expect(await keys.find("rsa-1")).toBe("unavailable");
    expect(logs.lines()[0]).toMatchObject({
      error: `answered more than ${MAX_KEY_SET_BYTES} bytes`,
    });
  });

  it.each([
    ["not JSON", "<html></html>", "answered something other than JSON"],
    ["JSON without keys", '{"keys": {}}', 'answered JSON without a "keys" array'],
  ])("refuses a body that is %s", async (_case, body, error) => {
    provider.answer = (_req, res) => res.writeHead(200).end(body);
    expect(await keys.find("rsa-1")).toBe("unavailable");
    expect(logs.lines()[0]).toMatchObject({ error });
  });

  it("gives up on a provider that does not answer within 2 seconds", async () => {
    provider.answer = () => undefined; // never answers
    const started = Date.now();
    expect(await keys.find("rsa-1")).toBe("unavailable");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("counts a provider that cannot be connected to as a failure", async () => {
    await provider.close();
    expect(await keys.find("rsa-1")).toBe("unavailable");
    expect(await fetchesCounted("failure")).toBe(1);
    provider = await KeySetServer.start([]); // for afterEach
  });
});

describe("usableKeys", () => {
  const kids = (jwks: unknown[]) => [...usableKeys({ keys: jwks }).keys()];

  it("holds RSA keys for RS256 and P-256 keys for ES256, alg and use optional", () => {
    const found = usableKeys({
      keys: [RSA.jwk({ alg: undefined, use: undefined }), EC.jwk({ alg: undefined })],
    });
    expect(found.get("rsa-1")?.algorithm).toBe("RS256");
    expect(found.get("ec-1")?.algorithm).toBe("ES256");
  });

  it("skips the keys the service cannot use", () => {
    const usable = ProviderKey.rsa("usable");
    expect(
      kids([
        RSA.jwk({ kid: undefined }),
        RSA.jwk({ kid: "" }),
        RSA.jwk({ kid: "encryption", use: "enc" }),
        RSA.jwk({ kid: "ps256", alg: "PS256" }),
        RSA.jwk({ kid: "rsa-as-es256", alg: "ES256" }),
        EC.jwk({ kid: "ec-as-rs256", alg: "RS256" }),
        ProviderKey.ec("p-384", "P-384").jwk({ alg: undefined }),
        ProviderKey.rsa("rsa-1024", 1024).jwk(),
        { kty: "oct", kid: "secret", k: "c2VjcmV0" },
        { kty: "RSA", kid: "broken", n: "AQAB" },
        "not a key",
        usable.jwk(),
      ]),
    ).toEqual(["usable"]);
  });

  it("keeps the first of two keys published under one kid", () => {
    const found = usableKeys({ keys: [EC.jwk({ kid: "twice" }), RSA.jwk({ kid: "twice" })] });
    expect(found.get("twice")?.algorithm).toBe("ES256");
  });

  it.each([null, [], "keys", { keys: "none" }])(
    "refuses a document that is not a key set: %p",
    (document) => {
      expect(() => usableKeys(document)).toThrow('answered JSON without a "keys" array');
    },
  );
});
