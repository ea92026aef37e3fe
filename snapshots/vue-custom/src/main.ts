import "vuetify/styles";

import { VueQueryPlugin } from "@tanstack/vue-query";
import { createPinia } from "pinia";
import { createApp } from "vue";

import App from "@/App.vue";
import { readConfig } from "@/config";
import { createAppRouter } from "@/router";
import { createHttpClient } from "@/services/http";
import { createQueryClient } from "@/services/queries";
import { createResourceApi, resourceApiKey } from "@/services/resource";
import { startWebVitals } from "@/services/web-vitals";
import { useSessionStore } from "@/stores/session";
import { createAppVuetify } from "@/vuetify";

const config = readConfig();
// Off unless /config.js names an endpoint (VITE_WEB_VITALS_URL).
startWebVitals(config.webVitalsUrl);

const app = createApp(App);
app.use(createPinia());
const session = useSessionStore();
const http = createHttpClient({ baseURL: config.apiUrl, token: () => session.token });
app.provide(resourceApiKey, (resource) => createResourceApi(http, resource));
app.use(createAppRouter());
app.use(createAppVuetify());
app.use(VueQueryPlugin, { queryClient: createQueryClient() });
app.mount("#app");
