import axios, { type AxiosInstance } from "axios";

import { newCorrelationId } from "@/utils/correlation";
import { CORRELATION_HEADER, toApiError } from "@/utils/errors";

export interface HttpOptions {
  /** The API's base URL; "" for the app's own origin. */
  baseURL: string;
  /** The current access token, read at each request; null when signed out. */
  token: () => string | null;
  /** A fresh correlation id per request (guidelines 5.2); replaceable in tests. */
  newCorrelationId?: () => string;
}

/**
 * The Axios client of the backend: every request carries a new correlation id and the bearer
 * token, and every failure becomes an ApiError with the backend's own message.
 */
export function createHttpClient(options: HttpOptions): AxiosInstance {
  const correlationId = options.newCorrelationId ?? newCorrelationId;
  const client = axios.create({ baseURL: options.baseURL, timeout: 15_000 });
  client.interceptors.request.use((request) => {
    request.headers.set(CORRELATION_HEADER, correlationId());
    const token = options.token();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  });
  client.interceptors.response.use(undefined, (error: unknown) =>
    Promise.reject(toApiError(error)),
  );
  return client;
}
