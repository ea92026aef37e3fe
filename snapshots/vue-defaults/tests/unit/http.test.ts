import {
  AxiosError,
  AxiosHeaders,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from "axios";
import { describe, expect, it } from "vitest";

import { RESOURCES } from "@/resources";
import { createHttpClient, type HttpOptions } from "@/services/http";
import { createResourceApi } from "@/services/resource";
import { ApiError } from "@/utils/errors";

const [resource] = RESOURCES;

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A client whose requests never leave the test: each is recorded and answered by `answer`,
 * and a status >= 400 fails the way Axios fails it.
 */
function clientAnswering(
  answer: (request: InternalAxiosRequestConfig) => Answer,
  options?: Partial<HttpOptions>,
) {
  const sent: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = (config) => {
    sent.push(config);
    const { status, body = null, headers = {} } = answer(config);
    const response: AxiosResponse = {
      data: body,
      status,
      statusText: String(status),
      headers: new AxiosHeaders(headers),
      config,
    };
    if (status < 400) return Promise.resolve(response);
    return Promise.reject(
      new AxiosError(`HTTP ${status}`, AxiosError.ERR_BAD_RESPONSE, config, null, response),
    );
  };
  const client = createHttpClient({
    baseURL: "https://api.example",
    token: () => "t0ken",
    ...options,
  });
  client.defaults.adapter = adapter;
  return { client, sent };
}

const envelope = (code: string, message: string, correlationId: string, details?: unknown) => ({
  error: {
    code,
    message,
    correlation_id: correlationId,
    timestamp: "2026-01-02T03:04:05.000Z",
    ...(details === undefined ? {} : { details }),
  },
});

describe("the HTTP client", () => {
  it("sends the bearer token and a new correlation id with every request", async () => {
    const { client, sent } = clientAnswering(() => ({ status: 200, body: {} }));

    await client.get("/api/v1/things");
    await client.get("/api/v1/things");

    const [first, second] = sent;
    expect(first?.headers.get("Authorization")).toBe("Bearer t0ken");
    const ids = sent.map((request) => request.headers.get("x-correlation-id"));
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).not.toBe(ids[0]);
    expect(second?.baseURL).toBe("https://api.example");
  });

  it("sends no Authorization header when signed out", async () => {
    const { client, sent } = clientAnswering(() => ({ status: 200 }), { token: () => null });

    await client.get("/api/v1/things");

    expect(sent[0]?.headers.has("Authorization")).toBe(false);
  });

  it("turns the backend's error envelope into an ApiError with its message", async () => {
    const { client } = clientAnswering(() => ({
      status: 409,
      body: envelope("CONFLICT", "Name already taken", "corr-123"),
    }));

    const error: unknown = await client
      .post("/api/v1/things", {})
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      message: "Name already taken",
      status: 409,
      code: "CONFLICT",
      correlationId: "corr-123",
    });
  });

  it("keeps the fields a VALIDATION_ERROR names", async () => {
    const details = [{ field: "body.name", message: "must not be blank" }];
    const { client } = clientAnswering(() => ({
      status: 400,
      body: envelope("VALIDATION_ERROR", "invalid request", "corr-400", details),
    }));

    const error: unknown = await client
      .post("/api/v1/things", {})
      .catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 400, code: "VALIDATION_ERROR", details });
  });

  it("keeps how long a refused caller must wait, in seconds", async () => {
    const { client } = clientAnswering(() => ({
      status: 429,
      body: envelope("TOO_MANY_REQUESTS", "rate limit of 3 requests per 60 s exceeded", "c-429"),
      headers: { "retry-after": "17" },
    }));

    const error: unknown = await client.get("/api/v1/things").catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 429, code: "TOO_MANY_REQUESTS", retryAfter: 17 });
  });

  it("names the status of an answer that is not an envelope, and the request's id", async () => {
    const { client } = clientAnswering(() => ({ status: 502, body: "<html>Bad gateway</html>" }), {
      newCorrelationId: () => "sent-id",
    });

    const error: unknown = await client.get("/api/v1/things").catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({
      message: "The service answered with HTTP 502.",
      code: "HTTP_ERROR",
      correlationId: "sent-id",
    });
  });

  it("prefers the correlation id the backend answered with", async () => {
    const { client } = clientAnswering(() => ({
      status: 500,
      body: {},
      headers: { "x-correlation-id": "answered-id" },
    }));

    const error: unknown = await client.get("/api/v1/things").catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 500, correlationId: "answered-id" });
  });

  it("says the service cannot be reached when no answer came", async () => {
    const client = createHttpClient({
      baseURL: "",
      token: () => null,
      newCorrelationId: () => "id-1",
    });
    client.defaults.adapter = (config) =>
      Promise.reject(new AxiosError("Network Error", AxiosError.ERR_NETWORK, config));

    const error: unknown = await client.get("/api/v1/things").catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 0, code: "NETWORK_ERROR", correlationId: "id-1" });
  });
});

describe("the resource API", () => {
  const sentItem = {
    id: "a/1",
    name: "Sunrise",
    description: null,
    version: 2,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
  };

  it("asks for a page in the chosen order, with the name filter only when there is one", async () => {
    const page = { data: [sentItem], pagination: { page: 2, limit: 10, total: 11, totalPages: 2 } };
    const { client, sent } = clientAnswering(() => ({ status: 200, body: page }));
    const api = createResourceApi(client, resource);

    expect(await api.list({ page: 2, limit: 10, sort: "name:asc", filter: "sun" })).toEqual(page);
    await api.list({ page: 1, limit: 20, sort: "createdAt:desc", filter: "" });

    // The query string as it goes on the wire, in the contract's parameter names.
    const [filtered, unfiltered] = sent.map((request) => new URL(client.getUri(request)));
    expect(filtered?.pathname).toBe(resource.apiPath);
    expect([...(filtered?.searchParams ?? [])]).toEqual([
      ["page", "2"],
      ["limit", "10"],
      ["sort", "name:asc"],
      ["filter[name]", "sun"],
    ]);
    expect([...(unfiltered?.searchParams ?? [])]).toEqual([
      ["page", "1"],
      ["limit", "20"],
      ["sort", "createdAt:desc"],
    ]);
  });

  it("creates, replaces and deletes at the item's own address", async () => {
    const { client, sent } = clientAnswering((request) => ({
      status: request.method === "delete" ? 204 : 200,
      body: request.method === "delete" ? null : sentItem,
    }));
    const api = createResourceApi(client, resource);
    const input = { name: "Sunrise", description: null };

    expect(await api.create(input)).toEqual(sentItem);
    expect(await api.get("a/1")).toEqual(sentItem);
    expect(await api.replace("a/1", input)).toEqual(sentItem);
    await api.remove("a/1");

    const calls = sent.map((request) => [
      request.method,
      request.url?.replace(resource.apiPath, ""),
    ]);
    expect(calls).toEqual([
      ["post", ""],
      ["get", "/a%2F1"],
      ["put", "/a%2F1"],
      ["delete", "/a%2F1"],
    ]);
    expect(JSON.parse(String(sent[0]?.data))).toEqual(input);
  });
});
