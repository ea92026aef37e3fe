import axios from "axios";

/** A failed API call, as the user is told about it (the backend's error envelope, guidelines 3). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly correlationId: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface Envelope {
  error: { code: string; message: string; correlation_id?: string };
}

function isEnvelope(body: unknown): body is Envelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { message?: unknown }).message === "string" &&
    typeof (error as { code?: unknown }).code === "string"
  );
}

/** Turns whatever a call threw into an ApiError carrying the backend's message when it sent one. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (axios.isAxiosError(error)) {
    const sentId = error.config?.headers.get("x-correlation-id");
    const correlationId = typeof sentId === "string" ? sentId : null;
    const response = error.response;
    if (response === undefined) {
      const message = "The service cannot be reached. Check your connection and try again.";
      return new ApiError(message, 0, "NETWORK_ERROR", correlationId);
    }
    if (isEnvelope(response.data)) {
      const { code, message, correlation_id } = response.data.error;
      return new ApiError(message, response.status, code, correlation_id ?? correlationId);
    }
    const message = `The service answered with HTTP ${response.status}.`;
    return new ApiError(message, response.status, "HTTP_ERROR", correlationId);
  }
  const message = error instanceof Error ? error.message : "Unexpected error";
  return new ApiError(message, 0, "UNEXPECTED");
}
