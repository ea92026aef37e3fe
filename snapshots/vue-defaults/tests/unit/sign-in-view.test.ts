import { screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { RESOURCES } from "@/resources";
import { routeNames } from "@/router";
import { useSessionStore } from "@/stores/session";

import { anItem, fakeApi } from "./fake-api";
import { renderApp } from "./render-app";

const [resource] = RESOURCES;

describe("signing in and out", () => {
  it("asks for a token when none is pasted", async () => {
    const { router } = await renderApp("/sign-in", { token: null });

    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("Paste an access token")).toBeTruthy();
    expect(useSessionStore().signedIn).toBe(false);
    expect(router.currentRoute.value.name).toBe("sign-in");
  });

  it("keeps the pasted token and goes where the user was going", async () => {
    const { router } = await renderApp(`${resource.route}/new`, { token: null });

    await userEvent.type(await screen.findByLabelText("Access token"), "abc.def.ghi");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    await waitFor(() => expect(router.currentRoute.value.name).toBe(routeNames(resource).create));
    expect(useSessionStore().token).toBe("abc.def.ghi");
  });

  it("signs out from the app bar", async () => {
    const { router } = await renderApp(resource.route, { api: fakeApi([anItem()]) });
    await screen.findByRole("link", { name: "Sunrise" });

    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));

    await waitFor(() => expect(router.currentRoute.value.name).toBe("sign-in"));
    expect(useSessionStore().signedIn).toBe(false);
    expect(screen.getByRole("link", { name: "Sign in" })).toBeTruthy();
  });
});
