import { QueryClient, VueQueryPlugin } from "@tanstack/vue-query";
import { render } from "@testing-library/vue";
import { createPinia, setActivePinia } from "pinia";
import { createMemoryHistory } from "vue-router";

import App from "@/App.vue";
import { createAppRouter } from "@/router";
import { resourceApiKey, type ResourceApis } from "@/services/resource";
import { useSessionStore } from "@/stores/session";
import { createAppVuetify } from "@/vuetify";

import { fakeApi, type FakeApi } from "./fake-api";

interface Options {
  /** The API of every resource but those `apis` names. */
  api?: FakeApi;
  /** The API of each resource named here. */
  apis?: Record<string, FakeApi>;
  /** The bearer token of the session; null for a signed-out user. */
  token?: string | null;
}

/** The whole app, as main.ts builds it, on a fake API and an in-memory history at `path`. */
export async function renderApp(
  path: string,
  { api = fakeApi(), apis = {}, token = "test-token" }: Options = {},
) {
  const pinia = createPinia();
  setActivePinia(pinia);
  if (token !== null) useSessionStore().signIn(token);
  const router = createAppRouter(createMemoryHistory());
  // No retries: a failing call is shown at once.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  await router.push(path);
  const view = render(App, {
    global: {
      plugins: [pinia, router, createAppVuetify(), [VueQueryPlugin, { queryClient }]],
      provide: {
        [resourceApiKey]: ((resource) => apis[resource.name] ?? api) satisfies ResourceApis,
      },
    },
  });
  await router.isReady();
  return { ...view, api, router, queryClient };
}
