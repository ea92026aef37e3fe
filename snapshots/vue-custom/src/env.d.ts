/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Build-time fallback for the API's base URL (guidelines 1.3); the runtime config wins. */
  readonly VITE_API_URL?: string;
  /** Build-time fallback for the web vitals endpoint; the runtime config wins. */
  readonly VITE_WEB_VITALS_URL?: string;
}

interface Window {
  /** Set by /config.js before the app starts. */
  __APP_CONFIG__?: { apiUrl?: string; webVitalsUrl?: string };
}
