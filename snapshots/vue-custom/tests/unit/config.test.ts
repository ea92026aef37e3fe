import { describe, expect, it, vi } from "vitest";

import { readConfig } from "@/config";

const built = (env: Partial<ImportMetaEnv>): ImportMetaEnv => ({ ...import.meta.env, ...env });

describe("the runtime configuration", () => {
  it("prefers the container's /config.js over the build-time variables", () => {
    const config = readConfig(
      { apiUrl: "https://api.example", webVitalsUrl: "https://rum.example/vitals" },
      built({
        VITE_API_URL: "http://localhost:8080",
        VITE_WEB_VITALS_URL: "http://localhost:9999/vitals",
      }),
    );
    expect(config).toEqual({
      apiUrl: "https://api.example",
      webVitalsUrl: "https://rum.example/vitals",
    });
  });

  it("falls back to the build-time variables when /config.js leaves them empty", () => {
    const env = built({
      VITE_API_URL: "http://localhost:8080",
      VITE_WEB_VITALS_URL: "http://localhost:9999/vitals",
    });
    const expected = {
      apiUrl: "http://localhost:8080",
      webVitalsUrl: "http://localhost:9999/vitals",
    };
    expect(readConfig({ apiUrl: "", webVitalsUrl: "" }, env)).toEqual(expected);
    expect(readConfig(undefined, env)).toEqual(expected);
  });

  it("uses the app's own origin and sends no web vitals when nothing is set", () => {
    vi.stubEnv("VITE_API_URL", undefined);
    vi.stubEnv("VITE_WEB_VITALS_URL", undefined);
    expect(readConfig(undefined)).toEqual({ apiUrl: "", webVitalsUrl: "" });
    expect(readConfig({}, built({ VITE_API_URL: undefined, VITE_WEB_VITALS_URL: "" }))).toEqual({
      apiUrl: "",
      webVitalsUrl: "",
    });
  });

  it("reads the build-time variables by default", () => {
    vi.stubEnv("VITE_API_URL", "http://localhost:7777/");
    vi.stubEnv("VITE_WEB_VITALS_URL", "http://localhost:7777/vitals");
    expect(readConfig(undefined)).toEqual({
      apiUrl: "http://localhost:7777",
      webVitalsUrl: "http://localhost:7777/vitals",
    });
  });

  it("drops the API URL's trailing slashes, so paths join cleanly", () => {
    vi.stubEnv("VITE_API_URL", undefined);
    expect(readConfig({ apiUrl: "https://api.example//" }).apiUrl).toBe("https://api.example");
  });

  it("reads window.__APP_CONFIG__ by default", () => {
    vi.stubEnv("VITE_API_URL", "http://localhost:7777");
    window.__APP_CONFIG__ = {
      apiUrl: "https://from-window.example",
      webVitalsUrl: "https://rum.from-window.example/vitals",
    };
    try {
      expect(readConfig()).toEqual({
        apiUrl: "https://from-window.example",
        webVitalsUrl: "https://rum.from-window.example/vitals",
      });
    } finally {
      delete window.__APP_CONFIG__;
    }
  });
});
