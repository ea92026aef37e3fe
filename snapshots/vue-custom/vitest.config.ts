import { defineConfig, mergeConfig } from "vitest/config";

import viteConfig from "./vite.config";

export default mergeConfig(
  viteConfig,
  defineConfig({
    // The unit tests read no .env file: a developer's `.env` (VITE_API_URL pointing at their
    // backend) must not change what they see. A test that needs a variable sets it (vi.stubEnv).
    envDir: false,
    test: {
      environment: "jsdom",
      include: ["tests/unit/**/*.test.ts"],
      setupFiles: ["tests/unit/setup.ts"],
      // Above Testing Library's 5 s wait (tests/unit/setup.ts), so a slow find fails as itself.
      testTimeout: 20_000,
      // Undo every vi.stubEnv after each test.
      unstubEnvs: true,
      // Vuetify ships CSS with its components; jsdom has no use for it.
      server: { deps: { inline: ["vuetify"] } },
      css: false,
      coverage: {
        provider: "v8",
        include: ["src/**/*.{ts,vue}"],
        exclude: ["src/main.ts", "src/**/*.d.ts"],
        reporter: ["text", "json-summary", "html"],
        thresholds: { lines: 80, functions: 80, branches: 80, statements: 80 },
      },
    },
  }),
);
