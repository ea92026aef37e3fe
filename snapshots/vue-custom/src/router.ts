import {
  createRouter,
  createWebHistory,
  type RouteRecordRaw,
  type RouterHistory,
} from "vue-router";

import { RESOURCES } from "@/resources";
import { useSessionStore } from "@/stores/session";
import type { ResourceDefinition } from "@/types/resource";

declare module "vue-router" {
  interface RouteMeta {
    /** The page calls the API, which answers only with a bearer token. */
    requiresSession?: boolean;
    /** The resource the page shows. */
    resource?: ResourceDefinition;
  }
}

/** The names of a resource's pages: "media-assets-list", "media-assets-create", ... */
export function routeNames({ name }: ResourceDefinition) {
  return { list: `${name}-list`, create: `${name}-create`, detail: `${name}-detail` };
}

/** A resource's list, form and item pages, under its route; each view is given the resource. */
function resourceRoutes(resource: ResourceDefinition): RouteRecordRaw[] {
  const names = routeNames(resource);
  const meta = { requiresSession: true, resource };
  return [
    {
      path: resource.route,
      name: names.list,
      component: () => import("@/views/ListView.vue"),
      props: { resource },
      meta,
    },
    {
      path: `${resource.route}/new`,
      name: names.create,
      component: () => import("@/views/CreateView.vue"),
      props: { resource },
      meta,
    },
    {
      path: `${resource.route}/:id`,
      name: names.detail,
      component: () => import("@/views/DetailView.vue"),
      props: (route) => ({ resource, id: route.params.id }),
      meta,
    },
  ];
}

/** Each view is its own chunk, loaded when its route is first visited. */
export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const [home] = RESOURCES;
  const router = createRouter({
    history,
    routes: [
      { path: "/", redirect: { name: routeNames(home).list } },
      ...RESOURCES.flatMap(resourceRoutes),
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
  return local ? next : RESOURCES[0].route;
}
