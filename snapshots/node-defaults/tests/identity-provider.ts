import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import jwt from "jsonwebtoken";

export const ISSUER = "https://idp.example.test/realms/visiobook";
export const AUDIENCE = "media-service";

/** A key an identity provider signs with, and the JWK it publishes for it. */
export class ProviderKey {
  private constructor(
    readonly kid: string,
    readonly algorithm: "RS256" | "ES256",
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {}

  static rsa(kid: string, bits = 2048): ProviderKey {
    const pair = generateKeyPairSync("rsa", { modulusLength: bits });
    return new ProviderKey(kid, "RS256", pair.privateKey, pair.publicKey);
  }

  static ec(kid: string, curve = "P-256"): ProviderKey {
    const pair = generateKeyPairSync("ec", { namedCurve: curve });
    return new ProviderKey(kid, "ES256", pair.privateKey, pair.publicKey);
  }

  /** Its JWK, as a provider publishes it; `changes` replace fields (undefined drops one). */
  jwk(changes: Record<string, unknown> = {}): Record<string, unknown> {
    const published: Record<string, unknown> = {
      ...this.publicKey.export({ format: "jwk" }),
      kid: this.kid,
      use: "sig",
      alg: this.algorithm,
      ...changes,
    };
    return Object.fromEntries(Object.entries(published).filter(([, value]) => value !== undefined));
  }

  /** A token signed with this key; `header` replaces header fields (`kid: undefined` drops it). */
  sign(claims: object, header: Record<string, unknown> = {}): string {
    const fields = { alg: this.algorithm, typ: "JWT", kid: this.kid, ...header };
    return jwt.sign(claims, this.privateKey, {
      algorithm: this.algorithm,
      header: fields,
      allowInsecureKeySizes: true, // so a test can show the service refuses such a key
    });
  }
}

/** A provider's access token for this service; `changes` replace claims (undefined drops one). */
export function providerClaims(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: [AUDIENCE, "account"],
    sub: "user-1",
    iat: now,
    exp: now + 600,
    roles: ["editor"],
    ...changes,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A real HTTP server on loopback serving a key set at /certs, as a provider's jwks_uri does.
 * `answer` decides each response (the published keys by default); `fetches` counts requests
 * by path.
 */
export class KeySetServer {
  published: ProviderKey[];
  answer: Answer = (_req, res) => {
    this.sendJson(res, { keys: this.published.map((key) => key.jwk()) });
  };
  readonly paths: string[] = [];
  private readonly server: Server;

  private constructor(keys: ProviderKey[]) {
    this.published = keys;
    this.server = createServer((req, res) => {
      this.paths.push(req.url ?? "");
      this.answer(req, res);
    });
  }

  static async start(keys: ProviderKey[]): Promise<KeySetServer> {
    const provider = new KeySetServer(keys);
    provider.server.listen(0, "127.0.0.1");
    await once(provider.server, "listening");
    return provider;
  }

  get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get url(): string {
    return `${this.origin}/certs`;
  }

  /** How many times /certs was fetched. */
  get fetches(): number {
    return this.paths.filter((path) => path === "/certs").length;
  }

  sendJson(res: ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, { "content-type": "application/json" }).end(text);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}
