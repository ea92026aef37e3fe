import { describe, expect, it } from "vitest";

import { createQueryClient } from "@/services/queries";
import { ApiError } from "@/utils/errors";

describe("the query client", () => {
  const retry = createQueryClient().getDefaultOptions().queries?.retry;
  const shouldRetry = (failures: number, error: unknown): boolean =>
    typeof retry === "function" ? retry(failures, error as Error) : false;

  it("asks once more when the service could not answer", () => {
    expect(shouldRetry(0, new ApiError("internal server error", 500, "INTERNAL_ERROR"))).toBe(true);
    expect(shouldRetry(0, new ApiError("offline", 0, "NETWORK_ERROR"))).toBe(true);
    expect(shouldRetry(1, new ApiError("internal server error", 500, "INTERNAL_ERROR"))).toBe(
      false,
    );
  });

  it("does not ask again after a refusal", () => {
    expect(shouldRetry(0, new ApiError("gone", 404, "NOT_FOUND"))).toBe(false);
    expect(shouldRetry(0, new ApiError("no token", 401, "UNAUTHORIZED"))).toBe(false);
  });
});
