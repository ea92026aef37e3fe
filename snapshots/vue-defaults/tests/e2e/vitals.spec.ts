import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test, type Page } from "@playwright/test";

// The app's web vitals against a real endpoint on loopback. E2E_WEB_VITALS_URL names the
// endpoint the served app was started with (the container's /config.js and CSP carry it);
// without it (`vite preview`) the endpoint listens on a free port and the test hands its URL to
// the app through /config.js.
const configuredUrl = process.env.E2E_WEB_VITALS_URL;

const received: Record<string, unknown>[] = [];
let server: Server;
let endpoint: string;

test.beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      if (request.method === "POST") received.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(204).end();
    });
  });
  const port = configuredUrl ? Number(new URL(configuredUrl).port) : 0;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: listening } = server.address() as AddressInfo;
  endpoint = configuredUrl ?? `http://127.0.0.1:${listening}/vitals`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test.beforeEach(() => {
  received.length = 0;
});

async function useWebVitalsUrl(page: Page, webVitalsUrl: string): Promise<void> {
  await page.route("**/config.js", (route) =>
    route.fulfill({
      contentType: "text/javascript",
      body: `window.__APP_CONFIG__ = ${JSON.stringify({ apiUrl: "", webVitalsUrl })};`,
    }),
  );
}

async function visitTheApp(page: Page): Promise<string> {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  return new URL(page.url()).pathname;
}

const names = (): string[] => [...new Set(received.map((report) => String(report.name)))].sort();

test("each web vital reaches the configured endpoint as JSON", async ({ page }) => {
  if (!configuredUrl) await useWebVitalsUrl(page, endpoint);

  const path = await visitTheApp(page);
  // TTFB and FCP are final once the page has painted.
  await expect.poll(names).toEqual(expect.arrayContaining(["FCP", "TTFB"]));
  // LCP and CLS are final when the page is left: the beacons still leave.
  await page.goto("about:blank");
  await expect.poll(names).toEqual(expect.arrayContaining(["CLS", "FCP", "LCP", "TTFB"]));

  expect(received.find((report) => report.name === "LCP")?.path).toBe(path);
  for (const report of received) {
    expect(Object.keys(report).sort()).toEqual(
      ["delta", "id", "name", "navigationType", "path", "rating", "value"].sort(),
    );
    // The path when the measure is sent: "/" before the router moves to the sign-in page.
    expect(["/", path]).toContain(report.path);
    expect(report).toMatchObject({
      navigationType: "navigate",
      value: expect.any(Number),
      delta: expect.any(Number),
      rating: expect.stringMatching(/^(good|needs-improvement|poor)$/),
    });
  }
});

test("no web vital is sent when no endpoint is configured", async ({ page }) => {
  await useWebVitalsUrl(page, "");
  const attempts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") attempts.push(request.url());
  });

  await visitTheApp(page);
  await page.goto("about:blank");
  // The run above sees its beacons well within this time.
  await page.waitForTimeout(1_000);

  expect(attempts).toEqual([]);
  expect(received).toEqual([]);
});
