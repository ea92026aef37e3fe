import { screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { RESOURCES } from "@/resources";
import { ApiError } from "@/utils/errors";

import { anItem, fakeApi } from "./fake-api";
import { renderApp } from "./render-app";

const [resource] = RESOURCES;

/** The names in the table's rows, top to bottom. */
function rowNames(): string[] {
  return within(screen.getByRole("table"))
    .queryAllByRole("link")
    .map((link) => link.textContent ?? "");
}

async function chooseOrder(order: string): Promise<void> {
  await userEvent.click(screen.getByRole("combobox", { name: "Sort by" }));
  await userEvent.click(await screen.findByRole("option", { name: order }));
}

describe("the list view", () => {
  it("shows the rows the API returns, each linking to its detail page", async () => {
    const api = fakeApi([
      anItem({ id: "a1", name: "Sunrise" }),
      anItem({ id: "b2", name: "Harbour", description: null }),
    ]);
    await renderApp(resource.route, { api });

    const link = await screen.findByRole("link", { name: "Sunrise" });
    expect(link.getAttribute("href")).toBe(`${resource.route}/a1`);
    expect(screen.getByRole("link", { name: "Harbour" }).getAttribute("href")).toBe(
      `${resource.route}/b2`,
    );
    expect(screen.getByText("Over the bay")).toBeTruthy();
    // The contract's defaults, sent explicitly.
    expect(api.list).toHaveBeenCalledWith({
      page: 1,
      limit: 10,
      sort: "createdAt:desc",
      filter: "",
    });
  });

  it("says so when there is nothing yet, and offers to create the first one", async () => {
    await renderApp(resource.route, { api: fakeApi([]) });

    expect(await screen.findByText(/yet\./)).toBeTruthy();
    const create = screen.getByRole("link", { name: "Create the first one" });
    expect(create.getAttribute("href")).toBe(`${resource.route}/new`);
  });

  it("asks the API for names containing the filter, back on the first page", async () => {
    const api = fakeApi([
      anItem({ id: "a1", name: "Sunrise" }),
      anItem({ id: "b2", name: "Dusk" }),
    ]);
    await renderApp(resource.route, { api });
    await screen.findByRole("link", { name: "Dusk" });

    await userEvent.type(screen.getByLabelText("Filter by name"), "  sun ");

    await waitFor(() =>
      expect(api.list).toHaveBeenLastCalledWith({
        page: 1,
        limit: 10,
        sort: "createdAt:desc",
        filter: "sun",
      }),
    );
    await waitFor(() => expect(screen.queryByRole("link", { name: "Dusk" })).toBeNull());
    expect(screen.getByRole("link", { name: "Sunrise" })).toBeTruthy();
  });

  it("tells the user when no name matches the filter", async () => {
    await renderApp(resource.route, { api: fakeApi([anItem({ name: "Sunrise" })]) });
    await screen.findByRole("link", { name: "Sunrise" });

    await userEvent.type(screen.getByLabelText("Filter by name"), "zebra");

    expect(await screen.findByText(/has a name containing “zebra”/)).toBeTruthy();
  });

  it("sends the order the user chooses and shows the rows in it", async () => {
    const api = fakeApi([
      anItem({ id: "a1", name: "Harbour", createdAt: "2026-01-01T00:00:00.000Z" }),
      anItem({ id: "b2", name: "Sunrise", createdAt: "2026-01-03T00:00:00.000Z" }),
      anItem({ id: "c3", name: "Dusk", createdAt: "2026-01-02T00:00:00.000Z" }),
    ]);
    await renderApp(resource.route, { api });
    await waitFor(() => expect(rowNames()).toEqual(["Sunrise", "Dusk", "Harbour"]));

    await chooseOrder("Name A–Z");

    await waitFor(() => expect(rowNames()).toEqual(["Dusk", "Harbour", "Sunrise"]));
    expect(api.list).toHaveBeenLastCalledWith({
      page: 1,
      limit: 10,
      sort: "name:asc",
      filter: "",
    });

    await chooseOrder("Oldest first");

    await waitFor(() => expect(rowNames()).toEqual(["Harbour", "Dusk", "Sunrise"]));
    expect(api.list).toHaveBeenLastCalledWith(expect.objectContaining({ sort: "createdAt:asc" }));
  });

  it("pages through the API's results, and starts again for another order", async () => {
    // Item 00 is the newest, so the default order lists them by number.
    const items = Array.from({ length: 25 }, (_, index) =>
      anItem({
        id: `id-${index}`,
        name: `Item ${String(index).padStart(2, "0")}`,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 60 - index)).toISOString(),
      }),
    );
    const api = fakeApi(items);
    await renderApp(resource.route, { api });
    await screen.findByRole("link", { name: "Item 00" });

    await userEvent.click(screen.getByRole("button", { name: /next page/i }));

    expect(await screen.findByRole("link", { name: "Item 10" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Item 00" })).toBeNull();
    expect(api.list).toHaveBeenLastCalledWith({
      page: 2,
      limit: 10,
      sort: "createdAt:desc",
      filter: "",
    });

    // Another order starts again from its first page.
    await chooseOrder("Name Z–A");

    expect(await screen.findByRole("link", { name: "Item 24" })).toBeTruthy();
    expect(api.list).toHaveBeenLastCalledWith({
      page: 1,
      limit: 10,
      sort: "name:desc",
      filter: "",
    });
  });

  it("asks for more items per page, from the first page", async () => {
    const items = Array.from({ length: 15 }, (_, index) => anItem({ id: `id-${index}` }));
    const api = fakeApi(items);
    await renderApp(resource.route, { api });
    await waitFor(() => expect(rowNames()).toHaveLength(10));

    await userEvent.click(screen.getByRole("combobox", { name: /items per page/i }));
    await userEvent.click(await screen.findByRole("option", { name: "20" }));

    await waitFor(() => expect(rowNames()).toHaveLength(15));
    expect(api.list).toHaveBeenLastCalledWith({
      page: 1,
      limit: 20,
      sort: "createdAt:desc",
      filter: "",
    });
  });

  it("shows the API's error message and its reference", async () => {
    const api = fakeApi();
    api.list.mockRejectedValue(
      new ApiError("internal server error", 500, "INTERNAL_ERROR", "corr-1"),
    );
    await renderApp(resource.route, { api });

    expect(await screen.findByText("internal server error")).toBeTruthy();
    expect(screen.getByTestId("error-reference").textContent).toContain("reference corr-1");
  });
});
