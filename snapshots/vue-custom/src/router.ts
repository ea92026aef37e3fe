import { createRouter, createWebHistory, type RouterHistory } from "vue-router";

import { RESOURCE } from "@/resource";
import { useSessionStore } from "@/stores/session";

declare module "vue-router" {
  interface RouteMeta {
    /** The page calls the API, which answers only with a bearer token. */
    requiresSession?: boolean;
  }
}

/** Each view is its own chunk, loaded when its route is first visited. */
export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({
    history,
    routes: [
      { path: "/", redirect: { name: "list" } },
      {
        path: RESOURCE.route,
        name: "list",
        component: () => import("@/views/ListView.vue"),
        meta: { requiresSession: true },
      },
      {
        path: `${RESOURCE.route}/new`,
        name: "create",
        component: () => import("@/views/CreateView.vue"),
        meta: { requiresSession: true },
      },
      {
        path: `${RESOURCE.route}/:id`,
        name: "detail",
        component: () => import("@/views/DetailView.vue"),
        props: true,
        meta: { requiresSession: true },
      },
      {
        path: "/sign-in",
        name: "sign-in",
        component: () => import("@/views/SignInView.vue"),
      },
      {
        path: "/:unknown(.*)*",
        name: "not-found",
        component: () => import("@/views/NotFoundView.vue"),
      },
    ],
  });
  // Pages that call the API need a token; the sign-in page brings the user back afterwards.
  router.beforeEach((to) => {
    if (to.meta.requiresSession === true && !useSessionStore().signedIn) {
      return { name: "sign-in", query: { next: to.fullPath } };
    }
    return true;
  });
  return router;
}

/** Where to go after signing in: a path of this app only, never another site ("//host"). */
export function safeNextPath(next: unknown): string {
  const local = typeof next === "string" && /^\/(?![/\\])/.test(next);
  return local ? next : RESOURCE.route;
}
