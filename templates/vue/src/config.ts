/** The app's configuration, read once at start-up. */
export interface AppConfig {
  /** Base URL of the backend, without a trailing slash; "" means the app's own origin. */
  apiUrl: string;
}

/**
 * Runtime values (window.__APP_CONFIG__, from /config.js, written when the container starts)
 * win over build-time ones (VITE_API_URL), so the same image runs in staging and production.
 */
export function readConfig(
  runtime: Window["__APP_CONFIG__"] = window.__APP_CONFIG__,
  buildTime: string | undefined = import.meta.env.VITE_API_URL,
): AppConfig {
  const apiUrl = runtime?.apiUrl || buildTime || "";
  return { apiUrl: apiUrl.replace(/\/+$/, "") };
}
