import { defineConfig } from "@playwright/test";

// Browser tests of the built app (`npm run build` first). Set E2E_BASE_URL to test an app served
// elsewhere (e.g. the container), and CHROMIUM_PATH to use an installed Chromium instead of
// Playwright's own download.
//
// - "stubbed" (tests/e2e/app.spec.ts): each test answers the app's API calls itself, so it needs
//   no backend. tests/e2e/vitals.spec.ts runs a real web vitals endpoint on loopback; set
//   E2E_WEB_VITALS_URL to the one the app at E2E_BASE_URL was configured with.
// - "live" (tests/e2e/live.spec.ts), only when E2E_API_TOKEN is set: the app served at
//   E2E_BASE_URL talks to the real backend it is configured for, signed in with that token.
const baseURL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:4173";
const chromiumPath = process.env.CHROMIUM_PATH;
const liveToken = process.env.E2E_API_TOKEN;

// Chromium refuses to start its sandbox as root (containers, some CI images): only then does it
// run without one.
const runsAsRoot = process.getuid?.() === 0;
const args = runsAsRoot ? ["--no-sandbox"] : [];

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results",
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    launchOptions: { executablePath: chromiumPath, args },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  projects: [
    { name: "stubbed", testMatch: ["app.spec.ts", "vitals.spec.ts"] },
    // One journey through a real backend: creating, listing, editing and deleting take a while.
    ...(liveToken ? [{ name: "live", testMatch: "live.spec.ts", timeout: 120_000 }] : []),
  ],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        command: "npx vite preview --port 4173 --strictPort --host 127.0.0.1",
        url: baseURL,
        reuseExistingServer: false,
      },
});
