import { render, screen } from "@testing-library/vue";
import { createPinia } from "pinia";
import { describe, expect, it } from "vitest";
import { createMemoryHistory } from "vue-router";

import ApiErrorAlert from "@/components/ApiErrorAlert.vue";
import { createAppRouter } from "@/router";
import { newCorrelationId } from "@/utils/correlation";
import { ApiError, toApiError } from "@/utils/errors";
import { formatDateTime } from "@/utils/format";
import { createAppVuetify } from "@/vuetify";

describe("toApiError", () => {
  it("keeps an ApiError as it is", () => {
    const error = new ApiError("Gone", 404, "NOT_FOUND", "corr-1");
    expect(toApiError(error)).toBe(error);
  });

  it("keeps the message of any other error, without a reference", () => {
    expect(toApiError(new TypeError("boom"))).toMatchObject({
      message: "boom",
      status: 0,
      code: "UNEXPECTED",
      correlationId: null,
    });
    expect(toApiError("a string").message).toBe("Unexpected error");
  });
});

describe("the error alert", () => {
  function renderAlert(error: unknown) {
    return render(ApiErrorAlert, {
      props: { error },
      global: {
        plugins: [createPinia(), createAppVuetify(), createAppRouter(createMemoryHistory())],
      },
    });
  }

  it("offers to sign in again when the API refused the token", () => {
    renderAlert(new ApiError("invalid bearer token", 401, "UNAUTHORIZED", "c-1"));

    expect(screen.getByText("invalid bearer token")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in");
  });

  it("says the token lacks a role when the API forbade the operation", () => {
    renderAlert(new ApiError("requires the role admin", 403, "FORBIDDEN", "c-3"));

    expect(screen.getByText("requires the role admin")).toBeTruthy();
    expect(screen.getByText(/does not allow this/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in");
  });

  it("says when to try again when the API asked the caller to wait", () => {
    const message = "rate limit of 6000 requests per 60 s exceeded";
    renderAlert(new ApiError(message, 429, "TOO_MANY_REQUESTS", "c-4", [], 42));

    expect(screen.getByText(message)).toBeTruthy();
    expect(screen.getByText("Try again in 42 seconds.")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Sign in" })).toBeNull();
  });

  it("lists what the API refused, by field", () => {
    const details = [
      { field: "body.name", message: "must not be blank" },
      { field: "query.limit", message: "must be at most 100" },
    ];
    renderAlert(new ApiError("invalid request", 400, "VALIDATION_ERROR", "c-2", details));

    const problems = screen.getAllByRole("listitem").map((item) => item.textContent?.trim());
    expect(problems).toEqual(["name: must not be blank", "query.limit: must be at most 100"]);
  });

  it("shows the code alone when there is no reference", () => {
    renderAlert(new Error("boom"));

    expect(screen.getByTestId("error-reference").textContent?.trim()).toBe("UNEXPECTED");
    expect(screen.queryByRole("link", { name: "Sign in" })).toBeNull();
  });
});

describe("the correlation id", () => {
  it("is a random version 4 UUID", () => {
    const ids = new Set(Array.from({ length: 50 }, newCorrelationId));
    expect(ids.size).toBe(50);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe("formatDateTime", () => {
  it("writes a date-time for people, and anything else as it came", () => {
    expect(formatDateTime("2026-01-02T03:04:05Z")).toMatch(/2026/);
    expect(formatDateTime("not a date")).toBe("not a date");
  });
});
