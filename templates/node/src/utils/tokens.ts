import jwt from "jsonwebtoken";

/** Who made an authenticated request: the `sub` of its bearer token. */
export interface Principal {
  subject: string;
}

export interface TokenSettings {
  secret: string;
  expiresIn: string;
}

/** Signs an HS256 access token, e.g. for tests and service-to-service calls. */
export function createAccessToken(subject: string, settings: TokenSettings): string {
  return jwt.sign({}, settings.secret, {
    algorithm: "HS256",
    subject,
    expiresIn: settings.expiresIn as jwt.SignOptions["expiresIn"],
  });
}

/** The principal of a valid token, or undefined for a bad signature, expiry or missing subject. */
export function verifyAccessToken(token: string, secret: string): Principal | undefined {
  try {
    const payload = jwt.verify(token, secret, { algorithms: ["HS256"] });
    if (typeof payload === "string" || typeof payload.sub !== "string" || payload.sub === "") {
      return undefined;
    }
    return { subject: payload.sub };
  } catch {
    return undefined;
  }
}
