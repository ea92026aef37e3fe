// Runtime configuration for `npm run dev` and `npm run preview`. The container replaces this
// file at start-up from its environment (docker/runtime-config.sh), so one image serves every
// environment. An empty apiUrl means "the origin that served the app"; an empty webVitalsUrl
// means no web vitals are sent.
window.__APP_CONFIG__ = { apiUrl: "", webVitalsUrl: "" };
