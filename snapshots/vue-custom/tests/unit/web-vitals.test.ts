import { afterEach, describe, expect, it, vi } from "vitest";
import type { Metric } from "web-vitals";

import {
  sendReport,
  startWebVitals,
  toReport,
  type Observe,
  type VitalReport,
} from "@/services/web-vitals";

const URL = "https://rum.example/vitals";

// What web-vitals hands over for one measure. The browser's performance entries and the full
// URL (its query string may carry a token) are not sent.
const lcp: Metric = {
  name: "LCP",
  value: 1234.5,
  rating: "good",
  delta: 1234.5,
  id: "v5-1700000000000-1234",
  entries: [],
  navigationType: "navigate",
  navigationId: 1,
  navigationURL: "https://app.example/media-assets/42?token=secret",
};

const report: VitalReport = {
  name: "LCP",
  value: 1234.5,
  rating: "good",
  delta: 1234.5,
  id: "v5-1700000000000-1234",
  navigationType: "navigate",
  path: "/media-assets/42",
};

// Reports `metric` at once, as web-vitals does once a measure is final.
const reporting =
  (metric: Metric): Observe =>
  (callback) => {
    callback(metric);
  };

afterEach(() => {
  window.history.replaceState(null, "", "/");
});

describe("the web vitals reporter", () => {
  it("measures nothing and sends nothing without an endpoint", () => {
    const observe = vi.fn<Observe>();
    const send = vi.fn<typeof sendReport>();
    expect(startWebVitals("", send, [observe, observe])).toBe(false);
    expect(observe).not.toHaveBeenCalled();
    expect(send).not.toHaveBeenCalled();
  });

  it("sends each measure to the endpoint with the page's path and no query or fragment", () => {
    window.history.replaceState(null, "", "/media-assets/42?token=secret#top");
    const send = vi.fn<typeof sendReport>();
    const cls: Metric = { ...lcp, name: "CLS", value: 0.02, delta: 0.02, id: "v5-cls" };
    expect(startWebVitals(URL, send, [reporting(lcp), reporting(cls)])).toBe(true);
    expect(send.mock.calls).toEqual([
      [URL, report],
      [URL, { ...report, name: "CLS", value: 0.02, delta: 0.02, id: "v5-cls" }],
    ]);
  });

  it("watches the five web vitals of web-vitals by default, in a browser without them too", () => {
    // jsdom has no PerformanceObserver: web-vitals then reports nothing and must not throw.
    expect(startWebVitals(URL)).toBe(true);
  });

  it("keeps only the measure's own fields", () => {
    expect(toReport(lcp, "/")).toEqual({ ...report, path: "/" });
    expect(JSON.stringify(toReport(lcp, "/"))).not.toContain("secret");
  });
});

describe("sending a report", () => {
  it("sends the report as JSON with navigator.sendBeacon", () => {
    const sendBeacon = vi.fn<Navigator["sendBeacon"]>(() => true);
    const post = vi.fn<typeof fetch>();
    sendReport(URL, report, { sendBeacon }, post);
    expect(sendBeacon).toHaveBeenCalledOnce();
    const [url, body] = sendBeacon.mock.calls[0]!;
    expect(url).toBe(URL);
    expect(JSON.parse(body as string)).toEqual(report);
    expect(post).not.toHaveBeenCalled();
  });

  it.each([
    ["refuses the beacon", { sendBeacon: () => false }],
    ["has no beacon", {}],
  ])("falls back to a keepalive fetch when the browser %s", (_, browser) => {
    const post = vi.fn<typeof fetch>(() => Promise.resolve({} as Response));
    sendReport(URL, report, browser, post);
    expect(post).toHaveBeenCalledOnce();
    const [url, init] = post.mock.calls[0]!;
    expect(url).toBe(URL);
    expect(init).toMatchObject({ method: "POST", keepalive: true, credentials: "omit" });
    expect(JSON.parse(init!.body as string)).toEqual(report);
  });

  it("swallows a failed fetch: a lost measure must not disturb the app", async () => {
    const failed = Promise.reject(new TypeError("Failed to fetch"));
    const handled = vi.spyOn(failed, "catch");
    sendReport(URL, report, {}, () => failed);
    expect(handled).toHaveBeenCalledOnce();
    await expect(handled.mock.results[0]!.value).resolves.toBeUndefined();
  });
});
