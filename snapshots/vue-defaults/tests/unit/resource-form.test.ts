import { QueryClient, VueQueryPlugin } from "@tanstack/vue-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import ResourceForm from "@/components/ResourceForm.vue";
import { RESOURCES } from "@/resources";
import { resourceApiKey } from "@/services/resource";
import type { ResourceDefinition } from "@/types/resource";
import { createAppVuetify } from "@/vuetify";

import { anItem, fakeApi, type FakeApi } from "./fake-api";
import { sketchResource } from "./second-resource";

const [example] = RESOURCES;

/** The form of `resource`; a reference chooses among the items of `api`. */
function renderForm(
  props: Record<string, unknown> = {},
  { resource = example, api = fakeApi() }: { resource?: ResourceDefinition; api?: FakeApi } = {},
) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(ResourceForm, {
    props: { resource, submitLabel: "Create", ...props },
    global: {
      plugins: [createAppVuetify(), [VueQueryPlugin, { queryClient }]],
      provide: { [resourceApiKey]: () => api },
    },
  });
}

async function choose(label: string, option: string): Promise<void> {
  await userEvent.click(screen.getByRole("combobox", { name: label }));
  await userEvent.click(await screen.findByRole("option", { name: option }));
}

describe("the resource form", () => {
  it("refuses an empty name and submits nothing", async () => {
    const form = renderForm();

    await userEvent.type(screen.getByLabelText("Name"), "   ");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    expect(await screen.findByText("Name is required")).toBeTruthy();
    expect(form.emitted("submit")).toBeUndefined();
  });

  it("refuses a name longer than the backend accepts", async () => {
    const form = renderForm();

    await userEvent.click(screen.getByLabelText("Name"));
    await userEvent.paste("x".repeat(201));
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    expect(await screen.findByText("At most 200 characters")).toBeTruthy();
    expect(form.emitted("submit")).toBeUndefined();
  });

  it("counts characters as the API does: an emoji is one", async () => {
    const form = renderForm();

    await userEvent.click(screen.getByLabelText("Name"));
    await userEvent.paste("🌅".repeat(200));
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    await waitFor(() => expect(form.emitted("submit")).toHaveLength(1));
    expect(screen.getByText("200 / 200")).toBeTruthy();
  });

  it("submits the trimmed name, and no description as null", async () => {
    const form = renderForm();

    await userEvent.type(screen.getByLabelText("Name"), "  Sunrise ");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    await waitFor(() =>
      expect(form.emitted("submit")).toEqual([[{ name: "Sunrise", description: null }]]),
    );
  });

  it("starts from the item it is given", async () => {
    const form = renderForm({ initial: anItem(), submitLabel: "Save" });

    expect(screen.getByLabelText<HTMLInputElement>("Name").value).toBe("Sunrise");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    await waitFor(() =>
      expect(form.emitted("submit")).toEqual([[{ name: "Sunrise", description: "Over the bay" }]]),
    );
  });
});

describe("the form of a resource with a field of every kind", () => {
  const sketch = { resource: sketchResource };

  it("starts a new item from the contract's defaults", () => {
    renderForm({}, sketch);

    expect(screen.getByLabelText<HTMLInputElement>("Pages").value).toBe("3");
    expect(screen.getByLabelText<HTMLInputElement>("Inked").checked).toBe(true);
    expect(screen.getByText("draft")).toBeTruthy();
  });

  it("sends each value as the API takes it: numbers, text, days and instants", async () => {
    const api = fakeApi([anItem({ id: "a1", name: "Sunrise" })]);
    const form = renderForm({}, { ...sketch, api });

    await userEvent.type(screen.getByLabelText("Name"), "Chalk");
    await userEvent.type(screen.getByLabelText("Notes"), " on grey paper ");
    await userEvent.clear(screen.getByLabelText("Pages"));
    await userEvent.type(screen.getByLabelText("Pages"), "-12");
    await userEvent.type(screen.getByLabelText("Price"), "3.5");
    await userEvent.click(screen.getByLabelText("Inked"));
    await fireEvent.update(screen.getByLabelText("Drawn on"), "2024-02-29");
    await fireEvent.update(screen.getByLabelText("Shown at"), "2024-02-29T10:30");
    await choose("Status", "final");
    await choose("Subject", "Sunrise");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    await waitFor(() =>
      expect(form.emitted("submit")).toEqual([
        [
          {
            name: "Chalk",
            notes: " on grey paper ",
            pages: -12,
            price: "3.5",
            inked: false,
            drawnOn: "2024-02-29",
            shownAt: new Date("2024-02-29T10:30").toISOString(),
            status: "final",
            subjectId: "a1",
          },
        ],
      ]),
    );
  });

  it("sends an optional field left empty as null", async () => {
    const form = renderForm({}, sketch);

    await userEvent.type(screen.getByLabelText("Name"), "Chalk");
    await userEvent.clear(screen.getByLabelText("Pages"));
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    await waitFor(() => expect(form.emitted("submit")).toHaveLength(1));
    expect(form.emitted("submit")?.[0]).toEqual([
      expect.objectContaining({ pages: null, price: null, drawnOn: null, subjectId: null }),
    ]);
  });

  it("says what is wrong with a number before sending it", async () => {
    const form = renderForm({}, sketch);

    await userEvent.type(screen.getByLabelText("Name"), "Chalk");
    await userEvent.clear(screen.getByLabelText("Pages"));
    await userEvent.type(screen.getByLabelText("Pages"), "1.5");
    await userEvent.type(screen.getByLabelText("Price"), "1234.5");
    await userEvent.click(screen.getByRole("button", { name: "Create" }));

    expect(await screen.findByText("Pages must be a whole number")).toBeTruthy();
    expect(
      screen.getByText("Price must be a number with at most 3 digits before the point and 2 after"),
    ).toBeTruthy();
    expect(form.emitted("submit")).toBeUndefined();
  });

  it("shows the item referred to by its title when editing", async () => {
    const api = fakeApi([anItem({ id: "a1", name: "Sunrise" })]);
    const initial = anItem({ id: "s1", name: "Chalk", subjectId: "a1", status: "final" });
    renderForm({ initial, submitLabel: "Save" }, { ...sketch, api });

    expect(await screen.findByText("Sunrise")).toBeTruthy();
    expect(api.get).toHaveBeenCalledWith("a1");
  });
});
