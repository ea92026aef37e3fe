import type { HttpError } from "../utils/errors";
import type { Principal } from "../utils/tokens";

// What our middleware adds to every request.
declare global {
  namespace Express {
    interface Request {
      /** Set by the correlation-id middleware before any other. */
      correlationId: string;
      /** Set by `identifyCaller` on protected routes: who is calling, and with which roles. */
      principal?: Principal;
      /** Set by `identifyCaller` when the token is missing or bad: the 401 (or 503) to answer. */
      unauthenticated?: HttpError;
    }
  }
}

export {};
