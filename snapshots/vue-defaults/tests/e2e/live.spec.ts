import { expect, test, type Page } from "@playwright/test";

import { RESOURCES } from "../../src/resources";
import { fillForm } from "./forms";

// The built app against the real backend it is configured for: nothing here is stubbed. The
// "live" project runs this file only when E2E_API_TOKEN is set (playwright.config.ts): a bearer
// token the backend accepts, pasted as a user would. The items it makes have names no one else
// uses, and it deletes them.
const token = process.env.E2E_API_TOKEN ?? "";
// The first resource's: the navigation names its list "All" while it is the app's only one.
const [resource] = RESOURCES;
const list = RESOURCES.length === 1 ? "All" : resource.plural;
const run = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
// Made first but last by name, so that each order below puts the two the other way round.
const older = `${run} zulu`;
const newer = `${run} alpha`;
const renamed = `${run} mike`;

async function createItem(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Description").fill("Made by the live browser test");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

/** The list, showing only this run's items. */
async function openOurList(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: list }).click();
  await expect(page.getByRole("heading", { name: resource.plural })).toBeVisible();
  await page.getByRole("textbox", { name: "Filter by name" }).fill(run);
}

async function chooseOrder(page: Page, order: string): Promise<void> {
  await page.getByRole("combobox", { name: "Sort by" }).press("Enter");
  await page.getByRole("option", { name: order }).click();
}

test("an item's whole life through the real API", async ({ page }) => {
  const rows = page.getByRole("table").getByRole("link");

  await test.step("sign in with the token", async () => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.getByLabel("Access token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: resource.plural })).toBeVisible();
  });

  await test.step("create two items", async () => {
    await createItem(page, older);
    await createItem(page, newer);
  });

  await test.step("find them in the list, newest first", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: list }).click();
    await expect(rows.filter({ hasText: run })).toHaveText([newer, older]);
  });

  await test.step("filter by name, then change the order", async () => {
    await page.getByRole("textbox", { name: "Filter by name" }).fill(run);
    await expect(rows).toHaveText([newer, older]);
    await chooseOrder(page, "Oldest first");
    await expect(rows).toHaveText([older, newer]);
    await chooseOrder(page, "Name A–Z");
    await expect(rows).toHaveText([newer, older]);
    await chooseOrder(page, "Name Z–A");
    await expect(rows).toHaveText([older, newer]);
  });

  await test.step("open one and replace it (PUT)", async () => {
    await rows.filter({ hasText: older }).click();
    await expect(page.getByRole("heading", { name: older })).toBeVisible();
    await expect(page.getByText(/Version 1/)).toBeVisible();
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Name", { exact: true }).fill(renamed);
    await page.getByLabel("Description").fill("Edited by the live browser test");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: renamed })).toBeVisible();
    // Read back from the backend, not from the app's cache.
    await page.reload();
    await expect(page.getByRole("heading", { name: renamed })).toBeVisible();
    await expect(page.getByText(/Version 2/)).toBeVisible();
    await expect(page.getByText("Edited by the live browser test")).toBeVisible();
  });

  await test.step("see the edited one first among the recently updated", async () => {
    await openOurList(page);
    await expect(rows).toHaveText([newer, renamed]);
    await chooseOrder(page, "Recently updated");
    await expect(rows).toHaveText([renamed, newer]);
  });

  await test.step("delete both, each after confirming", async () => {
    for (const name of [renamed, newer]) {
      await rows.filter({ hasText: name }).click();
      await expect(page.getByRole("heading", { name })).toBeVisible();
      await page.getByRole("button", { name: "Delete" }).click();
      const dialog = page.getByRole("dialog");
      await expect(dialog).toContainText(`Delete “${name}”?`);
      await dialog.getByRole("button", { name: "Delete" }).click();
      await expect(page.getByRole("heading", { name: resource.plural })).toBeVisible();
      await page.getByRole("textbox", { name: "Filter by name" }).fill(run);
    }
    const nothing = `No ${resource.singular} has a name containing “${run}”.`;
    await expect(page.getByText(nothing)).toBeVisible();
  });
});

test("every resource's item is created, listed, edited and deleted through the real API", async ({
  page,
}) => {
  const nav = page.getByRole("navigation", { name: "Main" });
  // Made in the resources' order (a reference refers to a resource before its own), deleted
  // in the reverse one.
  const made: { resource: (typeof RESOURCES)[number]; path: string; heading: string }[] = [];

  await page.goto("/");
  await page.getByLabel("Access token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();

  for (const listed of RESOURCES) {
    await test.step(`create a ${listed.singular}, with every field`, async () => {
      await nav.getByRole("link", { name: RESOURCES.length === 1 ? "All" : listed.plural }).click();
      await expect(page.getByRole("heading", { name: listed.plural })).toBeVisible();
      await nav.getByRole("link", { name: "New" }).click();
      const mark = `${run} ${listed.name}`;
      await fillForm(page, listed, mark);
      await page.getByRole("button", { name: "Create" }).click();
      await expect(page.getByText(/Version 1/)).toBeVisible();
      const path = new URL(page.url()).pathname;
      expect(path).toMatch(new RegExp(`^${listed.route}/[0-9a-f-]{36}$`));
      const heading = listed.title === undefined ? path.split("/").at(-1)! : mark;
      await expect(page.getByRole("heading", { name: heading })).toBeVisible();
      made.push({ resource: listed, path, heading });
    });
  }

  for (const { resource: listed, path, heading } of made) {
    await test.step(`find the ${listed.singular} in its list, then edit it`, async () => {
      await nav.getByRole("link", { name: RESOURCES.length === 1 ? "All" : listed.plural }).click();
      const filter = page.getByRole("textbox", { name: /^Filter by / });
      if ((await filter.count()) > 0) await filter.fill(heading);
      await page.getByRole("table").getByRole("link", { name: heading, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`${path}$`));
      await page.getByRole("button", { name: "Edit" }).click();
      await page.getByRole("button", { name: "Save" }).click();
      // The form closes once the backend has answered the PUT; only then is it read back.
      await expect(page.getByRole("button", { name: "Edit" })).toBeVisible();
      // Read back from the backend: every write bumps the version, even one changing nothing.
      await page.reload();
      await expect(page.getByText(/Version 2/)).toBeVisible();
    });
  }

  for (const { resource: listed, path, heading } of made.reverse()) {
    await test.step(`delete the ${listed.singular}`, async () => {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: heading })).toBeVisible();
      await page.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
      await expect(page).toHaveURL(new RegExp(`${listed.route}$`));
    });
  }
});
