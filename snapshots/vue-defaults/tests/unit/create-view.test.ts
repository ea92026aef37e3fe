import { screen } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { RESOURCES } from "@/resources";
import { routeNames } from "@/router";
import { ApiError } from "@/utils/errors";

import { fakeApi } from "./fake-api";
import { renderApp } from "./render-app";

const [resource] = RESOURCES;

describe("the create view", () => {
  it("creates the item and opens its page", async () => {
    const api = fakeApi();
    const { router } = await renderApp(`${resource.route}/new`, { api });

    await userEvent.type(await screen.findByLabelText("Name"), "Sunrise");
    await userEvent.type(screen.getByLabelText("Description"), "Over the bay");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    expect(await screen.findByRole("heading", { name: "Sunrise" })).toBeTruthy();
    expect(api.create).toHaveBeenCalledExactlyOnceWith({
      name: "Sunrise",
      description: "Over the bay",
    });
    expect(router.currentRoute.value.fullPath).toBe(`${resource.route}/new-1`);
  });

  it("sends nothing while the form is invalid", async () => {
    const api = fakeApi();
    await renderApp(`${resource.route}/new`, { api });

    await userEvent.click(await screen.findByRole("button", { name: "Create" }));

    expect(await screen.findByText("Name is required")).toBeTruthy();
    expect(api.create).not.toHaveBeenCalled();
  });

  it("shows the API's refusal and stays on the form", async () => {
    const api = fakeApi();
    api.create.mockRejectedValue(
      new ApiError("an item named 'Sunrise' already exists", 409, "CONFLICT", "corr-9"),
    );
    const { router } = await renderApp(`${resource.route}/new`, { api });

    await userEvent.type(await screen.findByLabelText("Name"), "Sunrise");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    expect(await screen.findByText("an item named 'Sunrise' already exists")).toBeTruthy();
    expect(screen.getByTestId("error-reference").textContent).toMatch(
      /CONFLICT\s+· reference corr-9/,
    );
    expect(router.currentRoute.value.name).toBe(routeNames(resource).create);
  });
});
