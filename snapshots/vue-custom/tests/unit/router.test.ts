import { screen, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { RESOURCES } from "@/resources";
import { routeNames } from "@/router";
import { safeNextPath } from "@/router";

import { anItem, fakeApi } from "./fake-api";
import { renderApp } from "./render-app";

const [resource] = RESOURCES;

describe("the router", () => {
  it("sends a signed-out user to the sign-in page, remembering where they were going", async () => {
    const api = fakeApi();
    const { router } = await renderApp(`${resource.route}/new`, { api, token: null });

    expect(router.currentRoute.value.name).toBe("sign-in");
    expect(router.currentRoute.value.query).toEqual({ next: `${resource.route}/new` });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(api.list).not.toHaveBeenCalled();
  });

  it("opens the list at the root for a signed-in user", async () => {
    const { router } = await renderApp("/", { api: fakeApi([anItem()]) });

    expect(router.currentRoute.value.name).toBe(routeNames(resource).list);
    expect(await screen.findByRole("link", { name: "Sunrise" })).toBeTruthy();
  });

  it("shows a not-found page for an unknown address, signed in or not", async () => {
    await renderApp("/no/such/page", { token: null });

    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeTruthy();
    expect(screen.getByRole("link", { name: /See all/ }).getAttribute("href")).toBe(resource.route);
  });

  it("navigates between the views from the app bar", async () => {
    const { router } = await renderApp(resource.route, { api: fakeApi() });
    const nav = screen.getByRole("navigation", { name: "Main" });

    await userEvent.click(within(nav).getByRole("link", { name: "New" }));
    expect(await screen.findByRole("heading", { name: `New ${resource.singular}` })).toBeTruthy();
    expect(router.currentRoute.value.name).toBe(routeNames(resource).create);
  });
});

describe("the path after signing in", () => {
  it.each([
    [`${resource.route}/new`, `${resource.route}/new`],
    ["/elsewhere?page=2", "/elsewhere?page=2"],
    ["//evil.example", resource.route],
    ["/\\evil.example", resource.route],
    ["https://evil.example", resource.route],
    [undefined, resource.route],
    [["/a", "/b"], resource.route],
  ])("%j leads to %s", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
});
