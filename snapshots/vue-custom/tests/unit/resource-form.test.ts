import { render, screen, waitFor } from "@testing-library/vue";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import ResourceForm from "@/components/ResourceForm.vue";
import { createAppVuetify } from "@/vuetify";

function renderForm(props: Record<string, unknown> = {}) {
  return render(ResourceForm, {
    props: { submitLabel: "Create", ...props },
    global: { plugins: [createAppVuetify()] },
  });
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

  it("starts from the values it is given", async () => {
    const form = renderForm({
      initial: { name: "Sunrise", description: "Over the bay" },
      submitLabel: "Save",
    });

    expect(screen.getByLabelText<HTMLInputElement>("Name").value).toBe("Sunrise");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    await waitFor(() =>
      expect(form.emitted("submit")).toEqual([[{ name: "Sunrise", description: "Over the bay" }]]),
    );
  });
});
