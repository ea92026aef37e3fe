import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from "web-vitals";

/** One measure as it is sent: the numbers and the page, nothing about the user. */
export interface VitalReport {
  name: Metric["name"];
  value: number;
  rating: Metric["rating"];
  delta: number;
  /** Tells apart the reports of one page view (CLS and INP are sent again as they grow). */
  id: string;
  navigationType: Metric["navigationType"];
  /** The page's path, without the query string or fragment, which may carry tokens. */
  path: string;
}

/** Calls `report` with each value of one web vital (web-vitals' onLCP, onCLS, ...). */
export type Observe = (report: (metric: Metric) => void) => void;

/** The Core Web Vitals (LCP, INP, CLS) and the two that explain them (FCP, TTFB). */
const OBSERVERS: Observe[] = [onLCP, onINP, onCLS, onFCP, onTTFB];

export function toReport(metric: Metric, path: string): VitalReport {
  const { name, value, rating, delta, id, navigationType } = metric;
  return { name, value, rating, delta, id, navigationType, path };
}

/**
 * Sends one report as JSON. navigator.sendBeacon delivers even while the page is being left,
 * which is when LCP, CLS and INP are final; fetch with keepalive where the browser has no
 * beacon or refuses it (its queue full). The body goes as text/plain, a type that needs no
 * CORS preflight to another origin: the endpoint parses it as JSON.
 */
export function sendReport(
  url: string,
  report: VitalReport,
  browser: Partial<Pick<Navigator, "sendBeacon">> = navigator,
  post: typeof fetch = fetch,
): void {
  const body = JSON.stringify(report);
  if (browser.sendBeacon?.(url, body)) return;
  post(url, { method: "POST", body, keepalive: true, mode: "no-cors", credentials: "omit" }).catch(
    () => {
      // Best effort: a lost measure must never disturb the app.
    },
  );
}

/**
 * Measures the web vitals and sends each value to `url` as web-vitals reports it. An empty
 * `url` (the default: /config.js's webVitalsUrl) turns it off: nothing is measured nor sent.
 * Returns whether it started.
 */
export function startWebVitals(
  url: string,
  send: typeof sendReport = sendReport,
  observers: Observe[] = OBSERVERS,
): boolean {
  if (!url) return false;
  for (const observe of observers) {
    observe((metric) => send(url, toReport(metric, window.location.pathname)));
  }
  return true;
}
