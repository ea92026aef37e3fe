import type { Principal } from "../utils/tokens";

// What our middleware adds to every request.
declare global {
  namespace Express {
    interface Request {
      /** Set by the correlation-id middleware before any other. */
      correlationId: string;
      /** Set by `authenticate` on protected routes: who is calling, and with which roles. */
      principal?: Principal;
    }
  }
}

export {};
