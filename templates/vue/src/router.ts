import { createRouter, createWebHistory, type RouterHistory } from "vue-router";

import { RESOURCE } from "@/resource";
import { useSessionStore } from "@/stores/session";

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
  // Creating needs a session; the sign-in page brings the user back afterwards.
  router.beforeEach((to) => {
    if (to.meta.requiresSession === true && !useSessionStore().signedIn) {
      return { name: "sign-in", query: { next: to.fullPath } };
    }
    return true;
  });
  return router;
}
