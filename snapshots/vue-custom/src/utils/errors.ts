import axios from "axios";

import type { components } from "@/types/api";

export const CORRELATION_HEADER = "x-correlation-id";

/** The contract's error envelope: every 4xx and 5xx answer of the API is one. */
export type ErrorEnvelope = components["schemas"]["Error"];
/** One refused part of a request: `field` is `body.name`, `query.limit`... */
export type Problem = components["schemas"]["Problem"];
/** The contract's codes, and the app's own for a call that got no envelope back. */
export type ErrorCode =
  ErrorEnvelope["error"]["code"] | "NETWORK_ERROR" | "HTTP_ERROR" | "UNEXPECTED";

/** A failed API call, as the user is told about it. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: ErrorCode,
    /** The id to quote to support: the backend's, else the one the request was sent with. */
    readonly correlationId: string | null = null,
    /** What the API refused in the request (VALIDATION_ERROR only). */
    readonly details: readonly Problem[] = [],
    /** Seconds to wait before trying again (Retry-After of a 429 or a busy 503), when given. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error: unknown = body.error;
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    typeof error.code === "string" &&
    "message" in error &&
    typeof error.message === "string"
  );
}

const asText = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** Retry-After in seconds; its HTTP-date form is not one the API sends. */
function retryAfterSeconds(value: unknown): number | null {
  const text = asText(value);
  return text !== null && /^[0-9]+$/.test(text) ? Number(text) : null;
}

/** Turns whatever a call threw into an ApiError carrying the backend's message when it sent one. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (axios.isAxiosError(error)) {
    const sentId = asText(error.config?.headers.get(CORRELATION_HEADER));
    const response = error.response;
    if (response === undefined) {
      const message = "The service cannot be reached. Check your connection and try again.";
      return new ApiError(message, 0, "NETWORK_ERROR", sentId);
    }
    const answeredId = asText(response.headers[CORRELATION_HEADER]) ?? sentId;
    if (isEnvelope(response.data)) {
      const { code, message, correlation_id, details } = response.data.error;
      const reference = asText(correlation_id) ?? answeredId;
      const retryAfter = retryAfterSeconds(response.headers["retry-after"]);
      return new ApiError(message, response.status, code, reference, details ?? [], retryAfter);
    }
    const message = `The service answered with HTTP ${response.status}.`;
    return new ApiError(message, response.status, "HTTP_ERROR", answeredId);
  }
  const message = error instanceof Error ? error.message : "Unexpected error";
  return new ApiError(message, 0, "UNEXPECTED");
}
