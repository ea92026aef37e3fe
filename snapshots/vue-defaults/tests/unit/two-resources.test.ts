import { screen, waitFor, within } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { RESOURCES } from "@/resources";
import { routeNames } from "@/router";
import { resourceKeys } from "@/services/queries";
import { FIRST_PAGE } from "@/services/resource";
import { formatDate, formatDateTime } from "@/utils/format";

import { anItem, fakeApi } from "./fake-api";
import { renderApp } from "./render-app";
import { sketchResource } from "./second-resource";

// A second resource listed beside the app's own, as adding one to src/resources/index.ts does:
// nothing else in the app is told about it.
vi.mock("@/resources", async (importOriginal) => {
  const listed = await importOriginal<typeof import("@/resources")>();
  const { sketchResource } = await import("./second-resource");
  return { RESOURCES: [...listed.RESOURCES, sketchResource] };
});

const [example] = RESOURCES;

/** The app on one fake API per resource: a sunrise among the example's items, chalk among the sketches. */
function twoApis() {
  return {
    [example.name]: fakeApi([anItem({ id: "a1", name: "Sunrise" })]),
    [sketchResource.name]: fakeApi([anItem({ id: "s1", name: "Chalk", description: null })]),
  };
}

describe("two resources side by side", () => {
  it("are both listed in the navigation, each leading to its own list", async () => {
    const apis = twoApis();
    const { router } = await renderApp("/", { apis });

    expect(router.currentRoute.value.name).toBe(routeNames(example).list);
    expect(await screen.findByRole("link", { name: "Sunrise" })).toBeTruthy();
    const nav = screen.getByRole("navigation", { name: "Main" });
    const lists = within(nav).getAllByRole("link", { name: /^(?!New$|Sign)/ });
    // The app's own, then the one listed after them.
    expect(lists.map((link) => link.textContent?.trim())).toEqual(
      RESOURCES.map(({ plural }) => plural),
    );
    expect(RESOURCES.at(-1)).toBe(sketchResource);

    await userEvent.click(within(nav).getByRole("link", { name: sketchResource.plural }));

    expect(await screen.findByRole("link", { name: "Chalk" })).toBeTruthy();
    expect(router.currentRoute.value.path).toBe(sketchResource.route);
    expect(screen.getByRole("heading", { name: sketchResource.plural })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Sunrise" })).toBeNull();
    expect(apis[sketchResource.name]?.list).toHaveBeenCalledOnce();
    expect(apis[example.name]?.list).toHaveBeenCalledOnce();
  });

  it("keep their pages in separate cache entries", async () => {
    const apis = twoApis();
    const { router, queryClient } = await renderApp(example.route, { apis });
    await screen.findByRole("link", { name: "Sunrise" });

    await router.push(sketchResource.route);
    expect(await screen.findByRole("link", { name: "Chalk" })).toBeTruthy();

    const cached = (resource: typeof example) =>
      queryClient
        .getQueryData<{ data: { name: string }[] }>(resourceKeys(resource).list(FIRST_PAGE))
        ?.data.map(({ name }) => name);
    expect(cached(example)).toEqual(["Sunrise"]);
    expect(cached(sketchResource)).toEqual(["Chalk"]);

    // Back on the first list, its own page is shown, not the other resource's.
    await router.push(example.route);
    expect(await screen.findByRole("link", { name: "Sunrise" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Chalk" })).toBeNull();
  });

  it("create, show and delete each in its own API, from its own pages", async () => {
    const apis = twoApis();
    const { router } = await renderApp(sketchResource.route, { apis });
    await screen.findByRole("link", { name: "Chalk" });

    const nav = screen.getByRole("navigation", { name: "Main" });
    await userEvent.click(within(nav).getByRole("link", { name: "New" }));
    expect(
      await screen.findByRole("heading", { name: `New ${sketchResource.singular}` }),
    ).toBeTruthy();
    expect(router.currentRoute.value.name).toBe(routeNames(sketchResource).create);

    await userEvent.type(screen.getByLabelText("Name"), "Charcoal");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    expect(await screen.findByRole("heading", { name: "Charcoal" })).toBeTruthy();
    expect(router.currentRoute.value.fullPath).toBe(`${sketchResource.route}/new-2`);
    expect(apis[sketchResource.name]?.create).toHaveBeenCalledOnce();
    expect(apis[example.name]?.create).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    await userEvent.click(
      within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete" }),
    );

    await waitFor(() =>
      expect(router.currentRoute.value.name).toBe(routeNames(sketchResource).list),
    );
    expect(apis[sketchResource.name]?.remove).toHaveBeenCalledExactlyOnceWith("new-2");
    expect(apis[example.name]?.remove).not.toHaveBeenCalled();
  });

  it("each has its not-found answer from its own API", async () => {
    const apis = twoApis();
    await renderApp(`${sketchResource.route}/a1`, { apis });

    expect(await screen.findByText("no item a1")).toBeTruthy();
    expect(apis[sketchResource.name]?.get).toHaveBeenCalledExactlyOnceWith("a1");
    expect(apis[example.name]?.get).not.toHaveBeenCalled();
  });

  it("show each field by its kind, in the list and on the item's page", async () => {
    const chalk = anItem({
      id: "s1",
      name: "Chalk",
      notes: null,
      pages: 1200,
      price: "3.50",
      inked: false,
      drawnOn: "2024-02-29",
      shownAt: "2024-02-29T10:30:00.000Z",
      status: "final",
      subjectId: "a1",
    });
    const apis = { ...twoApis(), [sketchResource.name]: fakeApi([chalk]) };
    await renderApp(sketchResource.route, { apis });

    const row = (await screen.findByRole("link", { name: "Chalk" })).closest("tr")!;
    await waitFor(() => expect(within(row).getByRole("link", { name: "Sunrise" })).toBeTruthy());
    const cells = within(row)
      .getAllByRole("cell")
      .map((cell) => cell.textContent?.trim());
    expect(cells.slice(0, 5)).toEqual(["Chalk", (1200).toLocaleString(), "3.50", "No", "Sunrise"]);
    // The referred item is the other resource's, linked to its page.
    expect(within(row).getByRole("link", { name: "Sunrise" }).getAttribute("href")).toBe(
      `${example.route}/a1`,
    );

    await userEvent.click(within(row).getByRole("link", { name: "Chalk" }));
    expect(await screen.findByRole("heading", { name: "Chalk" })).toBeTruthy();
    const shown = (label: string) =>
      screen.getByText(label).nextElementSibling?.textContent?.trim();
    expect(shown("Notes")).toBe("—");
    expect(shown("Drawn on")).toBe(formatDate("2024-02-29"));
    expect(shown("Shown at")).toBe(formatDateTime("2024-02-29T10:30:00.000Z"));
    expect(shown("Status")).toBe("final");
    expect(shown("Inked")).toBe("No");
    expect(shown("Subject")).toBe("Sunrise");
  });
});
