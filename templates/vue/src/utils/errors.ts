import axios from "axios";

export const CORRELATION_HEADER = "x-correlation-id";

/** A failed API call, as the user is told about it (the backend's error envelope, guidelines 3). */
export class ApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: string,
    /** The id to quote to support: the backend's, else the one the request was sent with. */
    readonly correlationId: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** `{"error": {"code", "message", "correlation_id", "timestamp"}}`, sent by every stack. */
interface Envelope {
  error: { code: string; message: string; correlation_id?: string | null };
}

function isEnvelope(body: unknown): body is Envelope {
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
      const { code, message, correlation_id } = response.data.error;
      return new ApiError(message, response.status, code, correlation_id ?? answeredId);
    }
    const message = `The service answered with HTTP ${response.status}.`;
    return new ApiError(message, response.status, "HTTP_ERROR", answeredId);
  }
  const message = error instanceof Error ? error.message : "Unexpected error";
  return new ApiError(message, 0, "UNEXPECTED");
}
