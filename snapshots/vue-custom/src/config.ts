/** The app's configuration, read once at start-up. */
export interface AppConfig {
  /** Base URL of the backend, without a trailing slash; "" means the app's own origin. */
  apiUrl: string;
  /** Where each web vital is sent (src/web-vitals.ts); "" means none are measured nor sent. */
  webVitalsUrl: string;
}

/**
 * Runtime values (window.__APP_CONFIG__, from /config.js, written when the container starts)
 * win over build-time ones (VITE_API_URL, VITE_WEB_VITALS_URL), so the same image runs in
 * staging and production.
 */
export function readConfig(
  runtime: Window["__APP_CONFIG__"] = window.__APP_CONFIG__,
  buildTime: ImportMetaEnv = import.meta.env,
): AppConfig {
  const apiUrl = runtime?.apiUrl || buildTime.VITE_API_URL || "";
  const webVitalsUrl = runtime?.webVitalsUrl || buildTime.VITE_WEB_VITALS_URL || "";
  return { apiUrl: apiUrl.replace(/\/+$/, ""), webVitalsUrl };
}
