import axios, { type AxiosInstance } from "axios";

import { toApiError } from "@/utils/errors";

export const CORRELATION_HEADER = "x-correlation-id";

export interface HttpOptions {
  /** The API's base URL; "" for the app's own origin. */
  baseURL: string;
  /** The current access token, read at each request; null when signed out. */
  token: () => string | null;
  /** A fresh correlation id per request (guidelines 5.2). */
  newCorrelationId?: () => string;
}

/**
 * The Axios client of the backend: every request carries a new correlation id and the bearer
 * token, and every failure becomes an ApiError with the backend's own message.
 */
export function createHttpClient(options: HttpOptions): AxiosInstance {
  const newCorrelationId = options.newCorrelationId ?? (() => crypto.randomUUID());
  const client = axios.create({ baseURL: options.baseURL, timeout: 15_000 });
  client.interceptors.request.use((request) => {
    request.headers.set(CORRELATION_HEADER, newCorrelationId());
    const token = options.token();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  });
  client.interceptors.response.use(undefined, (error: unknown) => Promise.reject(toApiError(error)));
  return client;
}
