import { join } from "node:path";

import { expect, test, type Page, type Route } from "@playwright/test";

import { RESOURCE } from "../../src/resource";

// The built app against a stubbed API: each test answers the app's calls to RESOURCE.apiPath.
const isApiCall = (url: URL): boolean => url.pathname.startsWith(RESOURCE.apiPath);

const sunrise = {
  id: "3f2c8a8e-0000-4000-8000-000000000001",
  name: "Sunrise",
  description: "Over the bay",
  version: 1,
  createdAt: "2026-01-02T03:04:05.000Z",
  updatedAt: "2026-01-02T03:04:05.000Z",
};
const harbour = { ...sunrise, id: "3f2c8a8e-0000-4000-8000-000000000002", name: "Harbour" };

function json(route: Route, status: number, body: unknown): Promise<void> {
  return route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
}

async function signIn(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Access token").fill("e2e.token.value");
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("the list shows the rows the API returns", async ({ page }, testInfo) => {
  await page.route(isApiCall, (route) => {
    const pagination = { page: 1, limit: 20, total: 2, totalPages: 1 };
    return json(route, 200, { data: [sunrise, harbour], pagination });
  });
  const listCall = page.waitForRequest((request) => isApiCall(new URL(request.url())));

  await signIn(page);

  await expect(page.getByRole("link", { name: "Sunrise" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Harbour" })).toBeVisible();
  const request = await listCall;
  const headers = await request.allHeaders();
  expect(headers["authorization"]).toBe("Bearer e2e.token.value");
  expect(headers["x-correlation-id"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(new URL(request.url()).searchParams.get("page")).toBe("1");

  const screenshot = join(testInfo.project.outputDir, "screenshots", "list.png");
  await page.screenshot({ path: screenshot, fullPage: true });
});

test("the form validates, then creates the item and opens it", async ({ page }) => {
  const posted: unknown[] = [];
  await page.route(isApiCall, (route) => {
    const request = route.request();
    if (request.method() === "POST") {
      posted.push(request.postDataJSON());
      return json(route, 201, { ...sunrise, name: "Dawn", description: null });
    }
    if (new URL(request.url()).pathname.endsWith(sunrise.id)) {
      return json(route, 200, { ...sunrise, name: "Dawn", description: null });
    }
    return json(route, 200, {
      data: [],
      pagination: { page: 1, limit: 20, total: 0, totalPages: 0 },
    });
  });
  await signIn(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New" }).click();
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByText("Name is required")).toBeVisible();
  expect(posted).toEqual([]);

  await page.getByLabel("Name", { exact: true }).fill("  Dawn ");
  await page.getByRole("button", { name: "Create" }).click();

  await expect(page.getByRole("heading", { name: "Dawn" })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${RESOURCE.route}/${sunrise.id}$`));
  expect(posted).toEqual([{ name: "Dawn", description: null }]);
});

test("an API error reaches the user with its message and reference", async ({ page }) => {
  await page.route(isApiCall, (route) => {
    if (route.request().method() === "POST") {
      return json(route, 409, {
        error: {
          code: "CONFLICT",
          message: "A record named Sunrise already exists",
          correlation_id: "corr-e2e-409",
          timestamp: "2026-01-02T03:04:05Z",
        },
      });
    }
    return json(route, 200, {
      data: [],
      pagination: { page: 1, limit: 20, total: 0, totalPages: 0 },
    });
  });
  await signIn(page);

  await page.getByRole("link", { name: "Create the first one" }).click();
  await expect(page.getByRole("heading", { name: `New ${RESOURCE.singular}` })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("Sunrise");
  await page.getByRole("button", { name: "Create" }).click();

  await expect(page.getByText("A record named Sunrise already exists")).toBeVisible();
  await expect(page.getByTestId("error-reference")).toContainText("reference corr-e2e-409");
  await expect(page).toHaveURL(new RegExp(`${RESOURCE.route}/new$`));
});
