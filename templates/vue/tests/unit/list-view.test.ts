import { screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { RESOURCE } from "@/resource";
import { ApiError } from "@/utils/errors";

import { anItem, fakeApi } from "./fake-api";
import { renderApp } from "./render-app";

describe("the list view", () => {
  it("shows the rows the API returns, each linking to its detail page", async () => {
    const api = fakeApi([
      anItem({ id: "a1", name: "Sunrise" }),
      anItem({ id: "b2", name: "Harbour", description: null }),
    ]);
    await renderApp(RESOURCE.route, { api });

    const link = await screen.findByRole("link", { name: "Sunrise" });
    expect(link.getAttribute("href")).toBe(`${RESOURCE.route}/a1`);
    expect(screen.getByRole("link", { name: "Harbour" }).getAttribute("href")).toBe(
      `${RESOURCE.route}/b2`,
    );
    expect(screen.getByText("Over the bay")).toBeTruthy();
    expect(api.list).toHaveBeenCalledWith({ page: 1, limit: 20, filter: "" });
  });

  it("says so when there is nothing yet, and offers to create the first one", async () => {
    await renderApp(RESOURCE.route, { api: fakeApi([]) });

    expect(await screen.findByText(/yet\./)).toBeTruthy();
    const create = screen.getByRole("link", { name: "Create the first one" });
    expect(create.getAttribute("href")).toBe(`${RESOURCE.route}/new`);
  });

  it("asks the API for names containing the filter, back on the first page", async () => {
    const api = fakeApi([
      anItem({ id: "a1", name: "Sunrise" }),
      anItem({ id: "b2", name: "Dusk" }),
    ]);
    await renderApp(RESOURCE.route, { api });
    await screen.findByRole("link", { name: "Dusk" });

    await userEvent.type(screen.getByLabelText("Filter by name"), "  sun ");

    await waitFor(() =>
      expect(api.list).toHaveBeenLastCalledWith({ page: 1, limit: 20, filter: "sun" }),
    );
    await waitFor(() => expect(screen.queryByRole("link", { name: "Dusk" })).toBeNull());
    expect(screen.getByRole("link", { name: "Sunrise" })).toBeTruthy();
  });

  it("tells the user when no name matches the filter", async () => {
    await renderApp(RESOURCE.route, { api: fakeApi([anItem({ name: "Sunrise" })]) });
    await screen.findByRole("link", { name: "Sunrise" });

    await userEvent.type(screen.getByLabelText("Filter by name"), "zebra");

    expect(await screen.findByText(/has a name containing “zebra”/)).toBeTruthy();
  });

  it("pages through the API's results", async () => {
    const items = Array.from({ length: 25 }, (_, index) =>
      anItem({ id: `id-${index}`, name: `Item ${String(index).padStart(2, "0")}` }),
    );
    const api = fakeApi(items);
    await renderApp(RESOURCE.route, { api });
    await screen.findByRole("link", { name: "Item 00" });

    await userEvent.click(screen.getByRole("button", { name: /next page/i }));

    expect(await screen.findByRole("link", { name: "Item 20" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Item 00" })).toBeNull();
    expect(api.list).toHaveBeenLastCalledWith({ page: 2, limit: 20, filter: "" });
  });

  it("shows the API's error message and its reference", async () => {
    const api = fakeApi();
    api.list.mockRejectedValue(new ApiError("Database unavailable", 503, "UNAVAILABLE", "corr-1"));
    await renderApp(RESOURCE.route, { api });

    expect(await screen.findByText("Database unavailable")).toBeTruthy();
    expect(screen.getByTestId("error-reference").textContent).toContain("reference corr-1");
  });
});
