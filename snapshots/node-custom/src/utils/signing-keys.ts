import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";

import type { Logger } from "./logger";
import type { Metrics } from "./metrics";

/** The algorithms an identity provider's tokens may be signed with (docs/contract.md). */
export type ProviderAlgorithm = "RS256" | "ES256";

/** A key of the provider's set, and the one algorithm it may verify. */
export interface SigningKey {
  key: KeyObject;
  algorithm: ProviderAlgorithm;
}

/**
 * What the set says about a `kid`: its key; `unknown` when the set, fetched, lacks it (the token
 * is bad: 401); `unavailable` when it is not held and the last fetch failed (the token may well
 * be good: 503, since clients drop a token on 401).
 */
export type KeyLookup = SigningKey | "unknown" | "unavailable";

// Keys are used this long after the fetch that brought them, then the set is fetched again.
export const KEYS_MAX_AGE_MS = 10 * 60_000;
// At most one fetch per this long, counted from each attempt's start (success or failure), so
// tokens naming made-up kids cannot make the service hammer its provider.
export const FETCH_COOLDOWN_MS = 30_000;
export const FETCH_TIMEOUT_MS = 2_000;
// A key set is a few KiB; more than this is not one.
export const MAX_KEY_SET_BYTES = 1_048_576;
// RS256 keys shorter than this are refused (RFC 7518, 3.3).
const MIN_RSA_BITS = 2048;

/**
 * The identity provider's JSON Web Key Set at JWT_JWKS_URL, fetched on first use (never at
 * start-up: the service starts, and its probes answer, while the provider is down), kept for
 * KEYS_MAX_AGE_MS, and fetched again after that or for a `kid` it lacks (a key rotated in), at
 * most once per FETCH_COOLDOWN_MS and one fetch at a time: callers arriving during a fetch wait
 * for it. A fetched set replaces the keys held, so a key the provider removed stops verifying; a
 * failed fetch keeps them.
 */
export class SigningKeys {
  private keys = new Map<string, SigningKey>();
  private fetchedAt: number | undefined;
  private attemptedAt: number | undefined;
  private lastFetchFailed = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** Milliseconds since some origin; tests move it on instead of waiting out the cooldown. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The key named `kid`, fetching the set first when it is due and the cooldown allows. */
  async find(kid: string): Promise<KeyLookup> {
    if (this.inFlight !== undefined) {
      await this.inFlight;
    } else if (this.dueFor(kid) && this.cooledDown()) {
      this.inFlight = this.refresh().finally(() => {
        this.inFlight = undefined;
      });
      await this.inFlight;
    }
    const key = this.keys.get(kid);
    if (key !== undefined) return key;
    return this.lastFetchFailed ? "unavailable" : "unknown";
  }

  private dueFor(kid: string): boolean {
    if (this.fetchedAt === undefined || !this.keys.has(kid)) return true;
    return this.now() - this.fetchedAt >= KEYS_MAX_AGE_MS;
  }

  private cooledDown(): boolean {
    return this.attemptedAt === undefined || this.now() - this.attemptedAt >= FETCH_COOLDOWN_MS;
  }

  /** One fetch: the held keys replaced on success, kept (and the failure logged) otherwise. */
  private async refresh(): Promise<void> {
    this.attemptedAt = this.now();
    try {
      this.keys = usableKeys(await fetchKeySet(this.url));
      this.fetchedAt = this.now();
      this.lastFetchFailed = false;
      this.metrics.jwksFetches.inc({ outcome: "success" });
    } catch (error) {
      this.lastFetchFailed = true;
      this.metrics.jwksFetches.inc({ outcome: "failure" });
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn("jwks fetch failed", { url: this.url, error: message });
    }
  }
}

/**
 * GETs the key set: a 2xx answer within FETCH_TIMEOUT_MS, at most MAX_KEY_SET_BYTES of JSON.
 * A redirect is a failure, not followed: the URL configured is the one trusted to name keys.
 */
async function fetchKeySet(url: string): Promise<unknown> {
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS); // covers the body as well as the headers
  const response = await fetch(url, {
    redirect: "manual",
    signal,
    headers: { accept: "application/json" },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`answered HTTP ${response.status}`);
  }
  const text = await readCapped(response, MAX_KEY_SET_BYTES);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error("answered something other than JSON");
  }
}

/** The body as text, or an error as soon as it passes `limit` bytes (before reading it all). */
async function readCapped(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await response.body?.cancel();
    throw new Error(`answered more than ${limit} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    // Node's fetch types its body's chunks as `any`; they are bytes.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new Error(`answered more than ${limit} bytes`);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The keys of a JWKS document (`{"keys": [...]}`) by `kid`, those the service can use only: an
 * RSA key of at least 2048 bits (RS256) or an EC key on P-256 (ES256), with a `kid`, and with
 * `use` "sig" and the matching `alg` when it names them. Others are skipped, not an error: a
 * provider publishes encryption keys and other algorithms beside its signing keys.
 */
export function usableKeys(document: unknown): Map<string, SigningKey> {
  if (!isObject(document) || !Array.isArray(document.keys)) {
    throw new Error('answered JSON without a "keys" array');
  }
  const keys = new Map<string, SigningKey>();
  for (const jwk of document.keys) {
    if (!isObject(jwk) || typeof jwk.kid !== "string" || jwk.kid === "") continue;
    if (keys.has(jwk.kid)) continue; // the first of a kid published twice
    const key = signingKey(jwk);
    if (key !== undefined) keys.set(jwk.kid, key);
  }
  return keys;
}

function signingKey(jwk: Record<string, unknown>): SigningKey | undefined {
  if (jwk.use !== undefined && jwk.use !== "sig") return undefined;
  const algorithm = jwk.kty === "RSA" ? "RS256" : jwk.kty === "EC" ? "ES256" : undefined;
  if (algorithm === undefined) return undefined;
  if (jwk.alg !== undefined && jwk.alg !== algorithm) return undefined;
  if (algorithm === "ES256" && jwk.crv !== "P-256") return undefined;
  let key: KeyObject;
  try {
    // Only the public parameters: a private key published by mistake is not held as one.
    const fields =
      algorithm === "RS256"
        ? { kty: "RSA", n: jwk.n, e: jwk.e }
        : { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
    key = createPublicKey({ key: fields as JsonWebKey, format: "jwk" });
  } catch {
    return undefined; // parameters missing or not a valid key
  }
  if (algorithm === "RS256" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return undefined;
  }
  return { key, algorithm };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
