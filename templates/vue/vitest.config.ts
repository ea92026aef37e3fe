import { defineConfig, mergeConfig } from "vitest/config";

import viteConfig from "./vite.config";

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: "jsdom",
      include: ["tests/unit/**/*.test.ts"],
      setupFiles: ["tests/unit/setup.ts"],
      // Above Testing Library's 5 s wait (tests/unit/setup.ts), so a slow find fails as itself.
      testTimeout: 20_000,
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
