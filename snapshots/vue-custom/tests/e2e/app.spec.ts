import { join } from "node:path";

import { expect, test, type Page, type Route } from "@playwright/test";

import { RESOURCES } from "../../src/resources";
import type { Resource, ResourcePage } from "../../src/types/resource";
import type { ErrorEnvelope } from "../../src/utils/errors";

// The built app against a stubbed API: each test answers the app's calls to the first
// resource's apiPath as api/openapi.json says the backend does.
const [resource] = RESOURCES;
const isApiCall = (url: URL): boolean => url.pathname.startsWith(resource.apiPath);
const noItems: ResourcePage = {
  data: [],
  pagination: { page: 1, limit: 10, total: 0, totalPages: 0 },
};

const sunrise: Resource = {
  id: "3f2c8a8e-0000-4000-8000-000000000001",
  name: "Sunrise",
  description: "Over the bay",
  version: 1,
  createdAt: "2026-01-02T03:04:05.000Z",
  updatedAt: "2026-01-02T03:04:05.000Z",
};
const harbour: Resource = {
  ...sunrise,
  id: "3f2c8a8e-0000-4000-8000-000000000002",
  name: "Harbour",
};
const dawn: Resource = { ...sunrise, name: "Dawn", description: null };

function json(route: Route, status: number, body: unknown): Promise<void> {
  return route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
}

async function signIn(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Access token").fill("e2e.token.value");
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("the list shows the rows the API returns, in the order chosen", async ({ page }, testInfo) => {
  // Newest first unless the app asks for the names in order.
  const sent: URLSearchParams[] = [];
  await page.route(isApiCall, (route) => {
    const query = new URL(route.request().url()).searchParams;
    sent.push(query);
    const data = query.get("sort") === "name:asc" ? [harbour, sunrise] : [sunrise, harbour];
    const answer: ResourcePage = {
      data,
      pagination: { page: 1, limit: 10, total: 2, totalPages: 1 },
    };
    return json(route, 200, answer);
  });
  const listCall = page.waitForRequest((request) => isApiCall(new URL(request.url())));

  await signIn(page);

  const rows = page.getByRole("table").getByRole("link");
  await expect(rows).toHaveText(["Sunrise", "Harbour"]);
  const request = await listCall;
  const headers = await request.allHeaders();
  expect(headers["authorization"]).toBe("Bearer e2e.token.value");
  expect(headers["x-correlation-id"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(Object.fromEntries(new URL(request.url()).searchParams)).toEqual({
    page: "1",
    limit: "10",
    sort: "createdAt:desc",
  });

  // From the keyboard, as the select is meant to be usable without a mouse.
  await page.getByRole("combobox", { name: "Sort by" }).press("Enter");
  await page.getByRole("option", { name: "Name A–Z" }).click();

  await expect(rows).toHaveText(["Harbour", "Sunrise"]);
  expect(sent.at(-1)?.get("sort")).toBe("name:asc");

  const screenshot = join(testInfo.project.outputDir, "screenshots", "list.png");
  await page.screenshot({ path: screenshot, fullPage: true });
});

test("the form validates, then creates the item and opens it", async ({ page }) => {
  const posted: unknown[] = [];
  await page.route(isApiCall, (route) => {
    const request = route.request();
    if (request.method() === "POST") {
      posted.push(request.postDataJSON());
      return json(route, 201, dawn);
    }
    if (new URL(request.url()).pathname.endsWith(dawn.id)) {
      return json(route, 200, dawn);
    }
    return json(route, 200, noItems);
  });
  await signIn(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New" }).click();
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByText("Name is required")).toBeVisible();
  expect(posted).toEqual([]);

  await page.getByLabel("Name", { exact: true }).fill("  Dawn ");
  await page.getByRole("button", { name: "Create" }).click();

  await expect(page.getByRole("heading", { name: "Dawn" })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${resource.route}/${dawn.id}$`));
  expect(posted).toEqual([{ name: "Dawn", description: null }]);
});

test("an API error reaches the user with its message and reference", async ({ page }) => {
  await page.route(isApiCall, (route) => {
    if (route.request().method() === "POST") {
      const conflict: ErrorEnvelope = {
        error: {
          code: "CONFLICT",
          message: "an item named 'Sunrise' already exists",
          correlation_id: "corr-e2e-409",
          timestamp: "2026-01-02T03:04:05.000Z",
        },
      };
      return json(route, 409, conflict);
    }
    return json(route, 200, noItems);
  });
  await signIn(page);

  await page.getByRole("link", { name: "Create the first one" }).click();
  await expect(page.getByRole("heading", { name: `New ${resource.singular}` })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("Sunrise");
  await page.getByRole("button", { name: "Create" }).click();

  await expect(page.getByText("an item named 'Sunrise' already exists")).toBeVisible();
  await expect(page.getByTestId("error-reference")).toContainText("reference corr-e2e-409");
  await expect(page).toHaveURL(new RegExp(`${resource.route}/new$`));
});
