import { screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { RESOURCES } from "@/resources";
import { routeNames } from "@/router";
import { ApiError } from "@/utils/errors";

import { anItem, fakeApi } from "./fake-api";
import { renderApp } from "./render-app";

const [resource] = RESOURCES;

const path = `${resource.route}/a1`;

describe("the detail view", () => {
  it("shows the item", async () => {
    await renderApp(path, { api: fakeApi([anItem({ id: "a1", version: 3 })]) });

    expect(await screen.findByRole("heading", { name: "Sunrise" })).toBeTruthy();
    expect(screen.getByText("Over the bay")).toBeTruthy();
    expect(screen.getByText(/Version 3/)).toBeTruthy();
  });

  it("shows a field without a value as a dash", async () => {
    await renderApp(path, { api: fakeApi([anItem({ id: "a1", description: null })]) });

    const label = await screen.findByText("Description");
    expect(label.nextElementSibling?.textContent?.trim()).toBe("—");
  });

  it("saves an edit with PUT and shows the new values", async () => {
    const api = fakeApi([anItem({ id: "a1" })]);
    await renderApp(path, { api });

    await userEvent.click(await screen.findByRole("button", { name: "Edit" }));
    const name = screen.getByLabelText("Name");
    await userEvent.clear(name);
    await userEvent.type(name, "Sunset");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByRole("heading", { name: "Sunset" })).toBeTruthy();
    expect(screen.getByText(/Version 2/)).toBeTruthy();
    expect(api.replace).toHaveBeenCalledExactlyOnceWith("a1", {
      name: "Sunset",
      description: "Over the bay",
    });
  });

  it("keeps the item as it was when the edit is cancelled", async () => {
    const api = fakeApi([anItem({ id: "a1" })]);
    await renderApp(path, { api });

    await userEvent.click(await screen.findByRole("button", { name: "Edit" }));
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));

    expect(screen.getByRole("heading", { name: "Sunrise" })).toBeTruthy();
    expect(api.replace).not.toHaveBeenCalled();
  });

  it("shows a refused edit and keeps the form open", async () => {
    const api = fakeApi([anItem({ id: "a1" })]);
    api.replace.mockRejectedValue(
      new ApiError("an item named 'Sunrise' already exists", 409, "CONFLICT", "corr-5"),
    );
    await renderApp(path, { api });

    await userEvent.click(await screen.findByRole("button", { name: "Edit" }));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByText("an item named 'Sunrise' already exists")).toBeTruthy();
    expect(screen.getByTestId("error-reference").textContent).toContain("reference corr-5");
    expect(screen.getByRole("button", { name: "Save" })).toBeTruthy();
  });

  it("deletes only after confirmation, then goes back to the list", async () => {
    const api = fakeApi([anItem({ id: "a1" })]);
    const { router } = await renderApp(path, { api });

    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText("Delete “Sunrise”?")).toBeTruthy();
    expect(api.remove).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete" }));

    await waitFor(() => expect(router.currentRoute.value.name).toBe(routeNames(resource).list));
    expect(api.remove).toHaveBeenCalledExactlyOnceWith("a1");
    expect(await screen.findByText(/yet\./)).toBeTruthy();
  });

  it("deletes nothing when the user keeps the item", async () => {
    const api = fakeApi([anItem({ id: "a1" })]);
    await renderApp(path, { api });

    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    await userEvent.click(
      within(await screen.findByRole("dialog")).getByRole("button", { name: "Keep" }),
    );

    // Vuetify keeps a closed dialog in the page, hidden.
    await waitFor(() => expect(screen.queryByRole("button", { name: "Keep" })).toBeNull());
    expect(screen.getByRole("heading", { name: "Sunrise" })).toBeTruthy();
    expect(api.remove).not.toHaveBeenCalled();
  });

  it("shows the API's answer for an item that does not exist", async () => {
    await renderApp(`${resource.route}/missing`, { api: fakeApi() });

    expect(await screen.findByText("no item missing")).toBeTruthy();
    expect(screen.getByTestId("error-reference").textContent).toContain("reference corr-404");
  });
});
