import { defineConfig } from "@playwright/test";

// Browser tests of the built app (`npm run build` first). The API is stubbed in each test, so
// they need no backend. Set E2E_BASE_URL to test an app served elsewhere (e.g. the container),
// and CHROMIUM_PATH to use an installed Chromium instead of Playwright's own download.
const baseURL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:4173";
const chromiumPath = process.env.CHROMIUM_PATH;

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
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        command: "npx vite preview --port 4173 --strictPort --host 127.0.0.1",
        url: baseURL,
        reuseExistingServer: false,
      },
});
