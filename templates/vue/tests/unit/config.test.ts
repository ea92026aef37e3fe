import { describe, expect, it, vi } from "vitest";

import { readConfig } from "@/config";

describe("the runtime configuration", () => {
  it("prefers the container's /config.js over the build-time VITE_API_URL", () => {
    expect(readConfig({ apiUrl: "https://api.example" }, "http://localhost:8080").apiUrl).toBe(
      "https://api.example",
    );
  });

  it("falls back to VITE_API_URL when /config.js names no API", () => {
    expect(readConfig({ apiUrl: "" }, "http://localhost:8080").apiUrl).toBe(
      "http://localhost:8080",
    );
    expect(readConfig(undefined, "http://localhost:8080").apiUrl).toBe("http://localhost:8080");
  });

  it("uses the app's own origin when neither names an API", () => {
    vi.stubEnv("VITE_API_URL", undefined);
    expect(readConfig(undefined).apiUrl).toBe("");
    expect(readConfig(undefined, undefined).apiUrl).toBe("");
  });

  it("reads the build-time VITE_API_URL by default", () => {
    vi.stubEnv("VITE_API_URL", "http://localhost:7777/");
    expect(readConfig(undefined).apiUrl).toBe("http://localhost:7777");
  });

  it("drops trailing slashes, so paths join cleanly", () => {
    vi.stubEnv("VITE_API_URL", undefined);
    expect(readConfig({ apiUrl: "https://api.example//" }, undefined).apiUrl).toBe(
      "https://api.example",
    );
  });

  it("reads window.__APP_CONFIG__ by default", () => {
    vi.stubEnv("VITE_API_URL", "http://localhost:7777");
    window.__APP_CONFIG__ = { apiUrl: "https://from-window.example" };
    try {
      expect(readConfig().apiUrl).toBe("https://from-window.example");
    } finally {
      delete window.__APP_CONFIG__;
    }
  });
});
